/** The backfill's small parts on their own: line splitting, format detection, causal links, X-Ray limits, waterfall. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALAKAI_COMPONENT, ALAKAI_OUTCOME } from '../../../src/contract/attribute-keys.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import { legacyParents, compareSliceOrder, type Slice } from '../../../src/backfill/assembly/legacy-links.js';
import { looksLikeAwsCliJson } from '../../../src/backfill/sources/aws-cli-json.js';
import { openFileSource } from '../../../src/backfill/sources/file-source.js';
import { LineSplitter, type SplitLine } from '../../../src/backfill/sources/line-splitter.js';
import { isXrayEndpoint } from '../../../src/otlp-transport/sigv4-target.js';
import { filterForXray } from '../../../src/otlp-transport/xray-limits.js';
import { parseRetryAfter } from '../../../src/backfill/retry.js';
import { renderWaterfall } from '../../../src/cli/waterfall.js';
import { tempDir } from './backfill-fixture.js';

function split(chunks: Buffer[], max = 100): SplitLine[] {
  const s = new LineSplitter(max);
  const out: SplitLine[] = [];
  for (const c of chunks) s.push(c, out);
  s.end(out);
  return out;
}

describe('LineSplitter', () => {
  it('splits across chunk boundaries, even inside a multi-byte character, with exact byte offsets', () => {
    const text = 'héllo\r\n€uro\n\nlast';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const lines = split([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(lines.map((l) => l.text)).toEqual(['héllo', '€uro', 'last']);
      expect(lines.map((l) => l.offset)).toEqual([
        0,
        Buffer.byteLength('héllo\r\n'),
        Buffer.byteLength('héllo\r\n€uro\n\n'),
      ]);
    }
  });

  it('refuses a line over the limit without holding it, and keeps going', () => {
    const long = Buffer.from('x'.repeat(250));
    const lines = split([Buffer.from('ok\n'), long.subarray(0, 120), long.subarray(120), Buffer.from('\nafter\n')]);
    expect(lines.map((l) => l.text ?? `<${l.readError}>`)).toEqual(['ok', '<too_large>', 'after']);
  });
});

describe('file source', () => {
  it('resumes a plain file at a byte offset, and a gzip one by skipping records', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.ndjson');
    await writeFile(path, 'one\ntwo\nthree\n');
    const source = await openFileSource(path, { ordinal: 2, byteOffset: 8 });
    const batch = await source.next();
    expect(batch?.records.map((r) => r.text)).toEqual(['three']);
    expect(batch?.firstOrdinal).toBe(2);
    const { gzipSync } = await import('node:zlib');
    await writeFile(`${path}.gz`, gzipSync('one\ntwo\nthree\n'));
    const gz = await openFileSource(`${path}.gz`, { ordinal: 1 });
    const b = await gz.next();
    expect(b?.records.map((r) => r.text)).toEqual(['two', 'three']);
    expect(b?.resume.byteOffset).toBeUndefined();
  });

  it('refuses an aws-cli document that is not one, with the file name', async () => {
    const dir = await tempDir();
    const path = join(dir, 'bad.json');
    await writeFile(path, '{\n  "events": [ {"message": 1 ');
    const source = await openFileSource(path);
    await expect(source.next()).rejects.toThrow(/bad.json is not valid JSON/);
  });

  it('tells the aws-cli form from NDJSON by the first bytes', () => {
    expect(looksLikeAwsCliJson('{\n    "events": [')).toBe(true);
    expect(looksLikeAwsCliJson('{"events":[{"message":"x"}]}')).toBe(true);
    expect(looksLikeAwsCliJson('{"level":30,"msg":"[event] a -> success"}\n')).toBe(false);
    expect(looksLikeAwsCliJson('plain text')).toBe(false);
  });
});

function span(id: string, component: string, startMs: number, endMs: number, outcome = 'success'): SpanRecord {
  return {
    traceId: 'a'.repeat(32),
    spanId: id.padStart(16, '0'),
    name: component,
    kind: 0,
    startTimeUnixNano: BigInt(startMs) * 1_000_000n,
    endTimeUnixNano: BigInt(endMs) * 1_000_000n,
    status: { code: 0 },
    attributes: { [ALAKAI_COMPONENT]: component, [ALAKAI_OUTCOME]: outcome },
    events: [],
    resource: {},
    scope: { name: 't' },
  };
}

function link(spans: SpanRecord[]): Map<string, string | undefined> {
  const names = new Map<Slice, string>();
  const slices = spans
    .map((s) => {
      const slice: Slice = {
        spanId: s.spanId,
        startNs: s.startTimeUnixNano,
        endNs: s.endTimeUnixNano,
        component: String(s.attributes[ALAKAI_COMPONENT]),
        outcome: s.attributes[ALAKAI_OUTCOME],
        legacy: true,
      };
      names.set(slice, s.name + s.spanId.slice(-2));
      return slice;
    })
    .sort(compareSliceOrder);
  const parents = legacyParents(slices);
  return new Map(slices.map((s) => [names.get(s)!, parents.get(s)?.slice(-2)]));
}

describe('legacy causal links', () => {
  it('worker under the latest successful orchestrator slice that ended before it started', () => {
    const parents = link([
      span('01', 'core', 0, 10),
      span('02', 'orchestrator', 20, 30, 'skipped'),
      span('03', 'orchestrator', 40, 50),
      span('04', 'worker', 60, 90),
      span('05', 'orchestrator', 70, 80),
    ]);
    expect(parents.get('core01')).toBeUndefined();
    expect(parents.get('orchestrator02')).toBe('01');
    expect(parents.get('orchestrator05')).toBe('01');
    expect(parents.get('worker04')).toBe('03');
  });

  it('falls back to the latest orchestrator slice, then the root; without core the earliest slice is root', () => {
    expect(
      link([span('01', 'core', 0, 10), span('02', 'orchestrator', 20, 30, 'error'), span('04', 'worker', 25, 90)]).get(
        'worker04',
      ),
    ).toBe('02');
    expect(link([span('01', 'core', 0, 10), span('04', 'worker', 25, 90)]).get('worker04')).toBe('01');
    const noCore = link([span('07', 'worker', 60, 90), span('06', 'orchestrator', 20, 30)]);
    expect(noCore.get('orchestrator06')).toBeUndefined();
    expect(noCore.get('worker07')).toBe('06');
  });
});

describe('X-Ray limits', () => {
  it('counts spans older than 14 days and larger than 200 KB instead of sending them', () => {
    const now = Date.parse('2026-05-20T00:00:00Z');
    const old = span('01', 'core', now - 15 * 86_400_000, now - 15 * 86_400_000 + 5);
    const big = { ...span('02', 'core', now - 1000, now), attributes: { 'alakai.blob': 'x'.repeat(210 * 1024) } };
    const ok = span('03', 'core', now - 1000, now);
    const notSent: Record<string, number> = {};
    expect(filterForXray([old, big, ok], now, notSent)).toEqual([ok]);
    expect(notSent).toEqual({ xray_older_than_14_days: 1, xray_span_over_200kb: 1 });
    expect(isXrayEndpoint('https://xray.us-east-1.amazonaws.com/v1/traces')).toBe(true);
    expect(isXrayEndpoint('http://localhost:4318/v1/traces')).toBe(false);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Wed, 20 May 2026 00:00:10 GMT', Date.parse('2026-05-20T00:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('renderWaterfall', () => {
  it('indents children under parents, marks errors, shows orphans and cycles instead of hiding them', () => {
    const root = span('01', 'core', 0, 100);
    const child = { ...span('02', 'orchestrator', 20, 60), parentSpanId: root.spanId, status: { code: 2 as const } };
    const orphan = { ...span('03', 'worker', 70, 90), parentSpanId: 'ffffffffffffffff' };
    const a = { ...span('04', 'a\u001b[31m', 10, 20), parentSpanId: '0000000000000005' };
    const b = { ...span('05', 'b', 10, 20), parentSpanId: '0000000000000004' };
    const text = renderWaterfall([orphan, child, root, a, b], { width: 80 });
    const lines = text.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^core\s/);
    // Rows end with the component that recorded the span (issue 11).
    expect(lines[1]).toMatch(/^ {2}orchestrator\s.*\|[ !]+\| orchestrator$/);
    expect(lines.some((l) => l.startsWith('worker'))).toBe(true);
    expect(text).not.toContain('\u001b');
    for (const l of lines) expect(l.length).toBe(lines[0]!.length);
    expect(renderWaterfall([])).toBe('(no spans)');
  });
});

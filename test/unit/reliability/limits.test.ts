/**
 * Limits and odd-but-real input: 1 MB events and fields, X-Ray's 200 KB span limit, trace ids
 * that are not UUIDs, duplicate lines, clock skew between components, and a hang check for every
 * function that runs a regular expression over outside text (1 MB adversarial inputs; fails only
 * on a gross blowup > 2 s — a hang check, not a benchmark). The contract's own limit tests
 * (test/unit/contract/validation.test.ts, sanitize.test.ts) cover single-field caps; these go
 * end to end: SDK → line → parser → spans → backfill output.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLogLine } from '../../../src/contract/parse.js';
import { DEFAULT_MAX_LINE_BYTES } from '../../../src/contract/limits.js';
import { summaryEventToSpans } from '../../../src/contract/event-to-spans.js';
import { encodeOtlpJsonLine } from '../../../src/contract/otlp-json.js';
import { sanitizeText } from '../../../src/contract/sanitize.js';
import { toOtelTraceId } from '../../../src/contract/trace-id.js';
import { MAX_DOMAIN_STRING } from '../../../src/contract/validate.js';
import { decodeOtelExtension } from '../../../src/contract/otel-extension.js';
import { normalizeTime } from '../../../src/contract/event-time.js';
import { extractRedisContext } from '../../../src/sdk/propagation/redis.js';
import { extractSqsContext } from '../../../src/sdk/propagation/sqs.js';
import { parseRetryAfter } from '../../../src/backfill/retry.js';
import { isXrayEndpoint } from '../../../src/otlp-transport/sigv4-target.js';
import { filterForXray, XRAY_MAX_SPAN_BYTES } from '../../../src/otlp-transport/xray-limits.js';
import { LineSplitter, type SplitLine } from '../../../src/backfill/sources/line-splitter.js';
import { renderWaterfall } from '../../../src/cli/waterfall.js';
import { toSpanRecord } from '../../../src/sdk/readable-span.js';
import { summaryEvent, TRACE_ID } from '../contract/fixtures.js';
import { sdkFixture } from '../sdk/sdk-fixture.js';
import { backfillFiles, tempDir } from '../backfill/backfill-fixture.js';

const ONE_MB = 1024 * 1024;
// CPU-bound work, so a wall-clock bound and not fake timers: catastrophic backtracking on 1 MB takes
// minutes to hours, far past this; linear work takes milliseconds.
const HANG_MS = 2000;

function timed<T>(work: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = work();
  return { value, ms: performance.now() - t0 };
}

function line(overrides: Record<string, unknown>): string {
  return JSON.stringify(summaryEvent(overrides));
}

async function backfillLines(lines: string[]) {
  const dir = await tempDir('alakai-reliability-');
  const file = join(dir, 'core.ndjson');
  await writeFile(file, lines.join('\n') + '\n');
  return backfillFiles([file]);
}

describe('no catastrophic backtracking: 1 MB adversarial input per regex-using function', () => {
  const repeat = (unit: string) => unit.repeat(Math.ceil(ONE_MB / unit.length)).slice(0, ONE_MB);
  const cases: Array<[string, () => unknown]> = [
    [
      'sanitizeText: URL userinfo near-misses',
      () => sanitizeText(repeat('https://' + 'a'.repeat(250) + ':' + 'b'.repeat(250) + ' '), 2 * ONE_MB),
    ],
    [
      'sanitizeText: secret key near-misses',
      () => sanitizeText(repeat('aws_secret_access_key = "' + 'A'.repeat(39) + '" '), 2 * ONE_MB),
    ],
    ['sanitizeText: bearer near-misses', () => sanitizeText(repeat('Bearer \t' + 'a'.repeat(7) + ' '), 2 * ONE_MB)],
    [
      'sanitizeText: PEM BEGIN without END',
      () => sanitizeText('-----BEGIN RSA PRIVATE KEY-----' + repeat('-----BEGIN '), 2 * ONE_MB),
    ],
    ['toOtelTraceId: 1 MB of UUID-ish text', () => toOtelTraceId(repeat('a1b2c3d4-'))],
    ['normalizeTime: 1 MB of ISO-ish text', () => normalizeTime(repeat('2026-05-05T12:00:00.000'))],
    ['decodeOtelExtension: 1 MB', () => decodeOtelExtension(repeat('{"v":1,"s":"1'))],
    ['parseLogLine: 1 MB trace_id', () => parseLogLine(line({ trace_id: repeat('0123456789abcdef-') }))],
    ['parseLogLine: 1 MB time', () => parseLogLine(line({ time: repeat('2026-05-05T12:00:00.') }))],
    ['parseLogLine: 1 MB span_id', () => parseLogLine(line({ span_id: repeat('a'), otel: '{"v":1,"s":"1","d":1}' }))],
    [
      'parseLogLine: 1 MB otel',
      () => parseLogLine(line({ span_id: 'aaaaaaaaaaaaaaaa', otel: repeat('{"v":1,"s":"-') })),
    ],
    [
      'parseLogLine: 1 MB error message of near-miss secrets',
      () =>
        parseLogLine(line({ outcome: 'error', error: { type: 'E', message: repeat('ghp_x xoxb- AKIA https://u:') } })),
    ],
    [
      'parseLogLine: 1 MB of nesting',
      () => parseLogLine('{"a":' + '['.repeat(ONE_MB / 2) + ']'.repeat(ONE_MB / 2) + '}'),
    ],
    ['parseLogLine: 1 MB of escapes', () => parseLogLine('{"msg":"' + repeat('\\u0000\\"') + '"}')],
    [
      'extractRedisContext: 1 MB traceparent',
      () => extractRedisContext(JSON.stringify({ traceparent: repeat('00-'), trace_id: repeat('x') })),
    ],
    [
      'extractSqsContext: 1 MB traceparent',
      () =>
        extractSqsContext({ MessageAttributes: { traceparent: { DataType: 'String', StringValue: repeat('00-0') } } }),
    ],
    ['parseRetryAfter: 1 MB', () => parseRetryAfter(repeat('9 '))],
    ['isXrayEndpoint: 1 MB host', () => isXrayEndpoint('https://xray.' + repeat('a-') + '.amazonaws.com')],
    [
      'LineSplitter: 1 MB without a newline, then 1 MB of CRs',
      () => {
        const splitter = new LineSplitter(DEFAULT_MAX_LINE_BYTES);
        const out: SplitLine[] = [];
        splitter.push(Buffer.from(repeat('x')), out);
        splitter.push(Buffer.from(repeat('\r') + '\n'), out);
        return out;
      },
    ],
  ];
  it.each(cases)('%s', (_what, work) => {
    const { ms } = timed(work);
    expect(ms).toBeLessThan(HANG_MS);
  });
});

describe('1 MB events and the size limits', () => {
  it('a 1 MB event of many fields under the per-value cap is read; its span is kept out of X-Ray by name, not silently', () => {
    const fields: Record<string, unknown> = {};
    for (let i = 0; i < 15; i++) fields[`field_${i}`] = { text: String.fromCharCode(97 + i).repeat(MAX_DOMAIN_STRING) };
    const text = line(fields);
    expect(Buffer.byteLength(text)).toBeGreaterThan(0.9 * ONE_MB);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(DEFAULT_MAX_LINE_BYTES);
    const parsed = parseLogLine(text);
    expect(parsed.kind).toBe('summary');
    if (parsed.kind !== 'summary') return;
    const spans = summaryEventToSpans(parsed.event);
    expect(spans).toHaveLength(1);
    expect(Buffer.byteLength(encodeOtlpJsonLine(spans))).toBeGreaterThan(XRAY_MAX_SPAN_BYTES);
    const notSent: Record<string, number> = {};
    expect(filterForXray(spans, Date.parse('2026-05-06T00:00:00Z'), notSent)).toHaveLength(0);
    expect(notSent).toEqual({ xray_span_over_200kb: 1 });
  });

  it('a line over the limit and a field over 64 KiB are refused by name', () => {
    expect(parseLogLine(line({ notes: 'y'.repeat(DEFAULT_MAX_LINE_BYTES) }))).toMatchObject({
      kind: 'rejected',
      reason: 'too_large',
    });
    expect(parseLogLine(line({ notes: 'y'.repeat(MAX_DOMAIN_STRING + 1) }))).toMatchObject({
      kind: 'rejected',
      reason: 'value_too_long',
    });
  });

  it('the SDK caps a 1 MB domain field at 64 KiB, so its line is one the parser reads back and the round trip holds', async () => {
    const f = sdkFixture();
    await f.tracing.runSlice(
      {
        event: 'coding.implementation',
        fields: { notes: 'x'.repeat(ONE_MB), repo: { full_name: 'y'.repeat(300_000) } },
      },
      () => undefined,
    );
    const [exported] = (await f.exported()).map(toSpanRecord);
    await f.tracing.shutdown();
    const text = f.raw.join('').trimEnd();
    expect(Buffer.byteLength(text)).toBeLessThan(ONE_MB);
    const parsed = parseLogLine(text);
    expect(parsed.kind).toBe('summary');
    if (parsed.kind !== 'summary') return;
    expect((parsed.event.repo as { full_name: string }).full_name).toHaveLength(MAX_DOMAIN_STRING);
    const [rebuilt] = summaryEventToSpans(parsed.event);
    expect(rebuilt!.attributes).toEqual({ ...exported!.attributes });
    expect(Buffer.byteLength(encodeOtlpJsonLine([exported!]))).toBeLessThan(XRAY_MAX_SPAN_BYTES);
  });
});

describe('trace ids, duplicates and clock skew through the backfill', () => {
  const at = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
  const T0 = '2026-05-05T12:00:00.000Z';
  /** One legacy execution: core → orchestrator → worker, each logging at its own end time. */
  function execution(traceId: string, workerSkewMs = 0): string[] {
    return [
      line({ trace_id: traceId, component: 'core', time: at(T0, 1000), duration_ms: 1000 }),
      line({
        trace_id: traceId,
        component: 'orchestrator',
        service: 'alakai-orchestrator',
        time: at(T0, 3000),
        duration_ms: 1500,
        steps: {},
      }),
      line({
        trace_id: traceId,
        component: 'worker',
        service: 'alakai-worker-implementation',
        time: at(T0, 60_000 + workerSkewMs),
        duration_ms: 55_000,
        steps: {},
      }),
    ];
  }

  it('non-UUID trace ids: every slice of the execution lands in one deterministic trace, the original id kept', async () => {
    const ids = ['slack-cmd-7f3a', 'a1b2c3d4-...', 'A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6'];
    const { traces, report } = await backfillLines(ids.flatMap((id) => execution(id)));
    expect(traces).toHaveLength(3);
    for (const trace of traces) {
      expect(trace).toHaveLength(3);
      expect(new Set(trace.map((s) => s.traceId)).size).toBe(1);
      const original = trace[0]!.attributes['alakai.trace_id'];
      expect(ids).toContain(original);
      expect(trace[0]!.traceId).toBe((toOtelTraceId(original as string) as { traceId: string }).traceId);
    }
    expect(report).toBeDefined();
  });

  it('duplicate lines (a page fetched twice, overlapping windows) give the same output, byte for byte', async () => {
    const lines = [...execution(TRACE_ID), ...execution('5b0e7c1a-2d3f-4a5b-8c6d-7e8f9a0b1c2d')];
    const once = await backfillLines(lines);
    const twice = await backfillLines(lines.flatMap((l) => [l, l]));
    expect(twice.outputText).toBe(once.outputText);
    expect(new Set(twice.spans.map((s) => s.spanId)).size).toBe(twice.spans.length);
  });

  it('clock skew: a worker whose clock runs 10 s behind still hangs under its orchestrator, times as logged', async () => {
    const { spans } = await backfillLines(execution(TRACE_ID, -10_000));
    const byComponent = new Map(
      spans.map((s) => [s.resource['alakai.component'] ?? s.attributes['alakai.component'], s]),
    );
    const core = byComponent.get('core')!;
    const orchestrator = byComponent.get('orchestrator')!;
    const worker = byComponent.get('worker')!;
    // The worker appears to start before its parent did; the parent link follows causal order anyway.
    expect(worker.startTimeUnixNano).toBeLessThan(orchestrator.startTimeUnixNano);
    expect(worker.parentSpanId).toBe(orchestrator.spanId);
    expect(orchestrator.parentSpanId).toBe(core.spanId);
    expect(core.parentSpanId).toBeUndefined();
    // The waterfall shows it as a tree with the skew visible, not an orphan or a reordered root.
    const rows = renderWaterfall(spans, { width: 100 })
      .split('\n')
      .filter((r) => r.includes('slack.implementation'));
    // core, then orchestrator indented under it, then the worker under that (durations identify them).
    expect(rows.map((r) => r.indexOf('slack.implementation'))).toEqual([0, 2, 4]);
    expect(rows.map((r) => /([\d.]+s) \|/.exec(r)?.[1])).toEqual(['1.00s', '1.50s', '55.00s']);
    // The worker's bar starts left of its parent's: the skew is shown as logged, not hidden.
    expect(rows[2]!.indexOf('█')).toBeLessThan(rows[1]!.indexOf('█'));
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromOtlpRequest } from '../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../src/contract/span-record.js';
import { smallInput } from './bench-input.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('naive converter (the baseline the backfill must beat 3×)', () => {
  let spans: SpanRecord[] = [];
  let report: Record<string, unknown> = {};
  let summaries: Record<string, unknown>[] = [];

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-p', 'bench/tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
    const info = await smallInput(1500);
    summaries = readFileSync(info.path, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"[event] '))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const dir = mkdtempSync(join(tmpdir(), 'alakai-bench-naive-'));
    const output = join(dir, 'out.jsonl');
    const reportPath = join(dir, 'report.json');
    execFileSync(process.execPath, [
      join(ROOT, 'bench/.build/bench/naive-converter.js'),
      '--input',
      info.path,
      '--output',
      output,
      '--report',
      reportPath,
    ]);
    spans = readFileSync(output, 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((l) => fromOtlpRequest(l));
    report = JSON.parse(readFileSync(reportPath, 'utf8')) as Record<string, unknown>;
  });

  it('writes one OTLP/JSON span per summary event, nothing dropped by the batch processor', () => {
    expect(spans).toHaveLength(summaries.length);
    expect(report['spansWritten']).toBe(summaries.length);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
  });

  it('keeps the trace id, times and causal parents of the events', () => {
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const s of spans) {
      const component = s.attributes['alakai.component'];
      if (component === 'core') expect(s.parentSpanId).toBeUndefined();
      else expect(byId.get(s.parentSpanId!)?.traceId).toBe(s.traceId);
      const duration = Number(s.attributes['alakai.duration_ms']);
      expect(s.endTimeUnixNano - s.startTimeUnixNano).toBe(BigInt(duration) * 1_000_000n);
    }
    const traceIds = new Set(summaries.map((e) => String(e['trace_id']).replace(/-/g, '')));
    expect(new Set(spans.map((s) => s.traceId))).toEqual(traceIds);
  });
});

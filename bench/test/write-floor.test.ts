import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromOtlpRequest } from '../../src/contract/otlp-json.js';
import { smallInput } from './bench-input.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('write floor (what the backfill is held to 1.3× of)', () => {
  let lines: string[] = [];
  let report: Record<string, unknown> = {};
  let summaries: Record<string, unknown>[] = [];

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-p', 'bench/tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
    const info = await smallInput(1500);
    summaries = readFileSync(info.path, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"[event] '))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const dir = mkdtempSync(join(tmpdir(), 'alakai-bench-floor-'));
    const output = join(dir, 'out.jsonl');
    const reportPath = join(dir, 'report.json');
    execFileSync(process.execPath, [
      join(ROOT, 'bench/.build/bench/backfill/write-floor.js'),
      '--input',
      info.path,
      '--output',
      output,
      '--report',
      reportPath,
    ]);
    lines = readFileSync(output, 'utf8').split('\n').filter(Boolean);
    report = JSON.parse(readFileSync(reportPath, 'utf8')) as Record<string, unknown>;
  });

  it('writes one OTLP/JSON line with one span per summary event, in input order', () => {
    expect(summaries.length).toBeGreaterThan(1000);
    expect(lines).toHaveLength(summaries.length);
    expect(report['spansWritten']).toBe(summaries.length);
    lines.forEach((line, i) => {
      const spans = fromOtlpRequest(line);
      expect(spans).toHaveLength(1);
      const event = summaries[i]!;
      expect(spans[0]!.traceId).toBe(String(event['trace_id']).replaceAll('-', ''));
      expect(spans[0]!.name).toBe(event['event']);
      expect(spans[0]!.endTimeUnixNano).toBe(BigInt(Date.parse(String(event['time']))) * 1_000_000n);
    });
  });

  it('writes a span of the bridge span’s size: every field of the event as an attribute', () => {
    const spans = fromOtlpRequest(lines[0]!);
    const event = summaries[0]!;
    const attributes = spans[0]!.attributes;
    expect(attributes['alakai.outcome']).toBe(event['outcome']);
    expect(attributes['alakai.duration_ms']).toBe(event['duration_ms']);
    expect(attributes['alakai.context.trace_id']).toBe(event['trace_id']);
    expect(Object.keys(attributes).length).toBeGreaterThanOrEqual(15);
  });
});

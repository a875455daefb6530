/**
 * Files → spans on the generated fixture set: one span per valid summary event, one root per
 * trace, every refused line counted by reason, the same bytes from NDJSON and aws-cli JSON, causal
 * parents for legacy slices, step-level lines as span events.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALAKAI_COMPONENT, ALAKAI_FINAL_STATUS } from '../../../src/contract/attribute-keys.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import { toOtelTraceId } from '../../../src/contract/trace-id.js';
import {
  backfillFiles,
  tempDir,
  writtenFixture,
  type BackfillResult,
  type WrittenFixture,
} from './backfill-fixture.js';

let fx: WrittenFixture;
let fromNdjson: BackfillResult;

beforeAll(async () => {
  fx = await writtenFixture({ seed: 7, executions: 60 });
  fromNdjson = await backfillFiles(fx.ndjson);
});

function component(span: SpanRecord): string {
  return String(span.attributes[ALAKAI_COMPONENT] ?? span.resource[ALAKAI_COMPONENT]);
}

function traceOf(result: BackfillResult, alakaiTraceId: string): SpanRecord[] {
  const id = toOtelTraceId(alakaiTraceId);
  if (!id.ok) throw new Error('bad id');
  return result.spans.filter((s) => s.traceId === id.traceId);
}

describe('backfill of the generated fixture set', () => {
  it('writes exactly one span per valid summary event, each with a distinct id', () => {
    expect(fromNdjson.report.spansWritten).toBe(fx.set.validSummaryEvents);
    expect(fromNdjson.spans).toHaveLength(fx.set.validSummaryEvents);
    expect(new Set(fromNdjson.spans.map((s) => s.spanId)).size).toBe(fx.set.validSummaryEvents);
    expect(fromNdjson.report.duplicateEvents).toBe(fx.set.duplicateSummaryLines);
  });

  it('counts every line: summary events, step-level lines, ignored and rejected by reason', () => {
    const r = fromNdjson.report;
    expect(r.linesRead).toBe(fx.set.lines.length);
    expect(r.summaryEvents).toBe(fx.set.validSummaryEvents + fx.set.duplicateSummaryLines);
    expect(r.stepLogs).toBe(fx.set.stepLogs);
    expect(r.ignoredLines).toBe(fx.set.ignoredLines);
    expect(r.rejected).toEqual(fx.set.rejected);
    expect(r.linesRead).toBe(r.summaryEvents + r.stepLogs + r.ignoredLines + r.rejectedLines);
    expect(r.traces).toBe(fx.set.executions.length);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('gives every trace a single root and resolvable parents', () => {
    const byTrace = new Map<string, SpanRecord[]>();
    for (const s of fromNdjson.spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
    expect(byTrace.size).toBe(fx.set.executions.length);
    for (const spans of byTrace.values()) {
      const ids = new Set(spans.map((s) => s.spanId));
      const roots = spans.filter((s) => !s.parentSpanId);
      expect(roots).toHaveLength(1);
      expect(component(roots[0]!)).toBe('core');
      for (const s of spans) if (s.parentSpanId) expect(ids.has(s.parentSpanId)).toBe(true);
    }
  });

  it('writes the same bytes from the aws logs filter-log-events form', async () => {
    const fromAws = await backfillFiles(fx.awsJson);
    expect(fromAws.outputText).toBe(fromNdjson.outputText);
    expect(fromAws.report.rejected).toEqual(fromNdjson.report.rejected);
  });

  it('writes the same bytes again, and from the lines in any order (one merged, shuffled file)', async () => {
    const again = await backfillFiles(fx.ndjson);
    expect(again.outputText).toBe(fromNdjson.outputText);
    const dir = await tempDir();
    const texts = fx.set.lines.map((l) => l.text);
    // Deterministic shuffle: reverse, then interleave halves.
    const reversed = [...texts].reverse();
    const half = Math.ceil(reversed.length / 2);
    const shuffled = reversed
      .slice(0, half)
      .flatMap((t, i) => (reversed[half + i] !== undefined ? [t, reversed[half + i]!] : [t]));
    const merged = join(dir, 'merged.ndjson');
    await writeFile(merged, shuffled.join('\n') + '\n');
    // With out-of-order input the window must cover the whole range for traces to stay whole.
    const fromShuffled = await backfillFiles([merged], { traceWindowMs: 365 * 24 * 3_600_000 });
    const sortedLines = (text: string): string[] => text.split('\n').filter(Boolean).sort();
    expect(sortedLines(fromShuffled.outputText)).toEqual(sortedLines(fromNdjson.outputText));
  });

  it('links a slot-contention execution: both orchestrator slices under core, the worker under the retry that launched it', () => {
    const exec = fx.set.executions.find((e) => e.scenario === 'slot_contention')!;
    const spans = traceOf(fromNdjson, exec.traceId);
    const root = spans.find((s) => !s.parentSpanId)!;
    const orchestrators = spans.filter((s) => component(s) === 'orchestrator');
    expect(orchestrators.map((s) => s.attributes[ALAKAI_FINAL_STATUS]).sort()).toEqual([
      'slot_unavailable',
      'task_launched',
    ]);
    for (const o of orchestrators) expect(o.parentSpanId).toBe(root.spanId);
    const launched = orchestrators.find((s) => s.attributes[ALAKAI_FINAL_STATUS] === 'task_launched')!;
    const worker = spans.find((s) => component(s) === 'worker')!;
    expect(worker.parentSpanId).toBe(launched.spanId);
    // The step-level line of the contended slice is an event on that slice, not on the retry.
    const contended = orchestrators.find((s) => s.attributes[ALAKAI_FINAL_STATUS] === 'slot_unavailable')!;
    expect(contended.events.map((e) => e.name)).toContain('no free slot, will retry');
    expect(launched.events.map((e) => e.name)).toContain('launching ECS task');
  });

  it('marks a worker error on its span and attaches the worker step-level lines to it', () => {
    const exec = fx.set.executions.find((e) => e.scenario === 'worker_error')!;
    const worker = traceOf(fromNdjson, exec.traceId).find((s) => component(s) === 'worker')!;
    expect(worker.status.code).toBe(2);
    expect(worker.events.map((e) => e.name)).toEqual(['cloning repository', 'agent finished', 'exception']);
  });

  it('keeps a child that starts before its parent (clock skew) under that parent, times untouched', async () => {
    const dir = await tempDir();
    const exec = fx.set.executions.find((e) => e.scenario === 'implementation')!;
    const lines = fx.set.lines.filter((l) => l.text.includes(exec.traceId) && l.text.includes('"[event] '));
    // The worker's clock runs 10 minutes behind: its slice "ends" before the orchestrator started.
    const skewed = lines.map((l) => {
      if (!l.text.includes('"component":"worker"')) return l.text;
      const o = JSON.parse(l.text) as { time: string };
      return JSON.stringify({ ...o, time: new Date(Date.parse(o.time) - 600_000).toISOString() });
    });
    const path = join(dir, 'skew.ndjson');
    await writeFile(path, skewed.join('\n'));
    const result = await backfillFiles([path]);
    const worker = result.spans.find((s) => component(s) === 'worker')!;
    const orchestrator = result.spans.find((s) => component(s) === 'orchestrator')!;
    expect(worker.parentSpanId).toBe(orchestrator.spanId);
    expect(worker.startTimeUnixNano < orchestrator.startTimeUnixNano).toBe(true);
    expect(result.spans.filter((s) => !s.parentSpanId)).toHaveLength(1);
  });

  it('closes traces as the input moves past them: memory holds one window, not the whole range', async () => {
    const long = await writtenFixture({ seed: 11, executions: 300, spacingMs: 120_000, noise: false });
    // Small read chunks stand in for a file far larger than one chunk.
    const result = await backfillFiles(long.ndjson, { traceWindowMs: 10 * 60_000 }, 4096);
    expect(result.report.traces).toBe(300);
    expect(result.report.spansWritten).toBe(long.set.validSummaryEvents);
    // ~10 hours of executions one or two minutes apart; a 10-minute window (+ slow workers) holds a few dozen.
    expect(result.report.peakOpenTraces).toBeLessThan(60);
    expect(result.report.forcedEmits).toBe(0);
  });

  it('caps the lines kept per trace, counting the rest', async () => {
    const result = await backfillFiles(fx.ndjson, { maxLinesPerTrace: 2 });
    expect(result.report.rejected['trace_line_cap']).toBeGreaterThan(0);
    const r = result.report;
    expect(r.linesRead).toBe(fx.set.lines.length);
  });

  it('reads gzip files the same as plain ones', async () => {
    const { gzipSync } = await import('node:zlib');
    const gz = fx.ndjson.map((p) => `${p}.gz`);
    for (const [i, p] of fx.ndjson.entries()) await writeFile(gz[i]!, gzipSync(await readFile(p)));
    const result = await backfillFiles(gz);
    expect(result.outputText).toBe(fromNdjson.outputText);
  });
});

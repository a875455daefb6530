/**
 * The on-call report's sections over the local engine, each figure checked against a computation
 * over the same lines written here; the engine is a parameter, so a recording engine shows which
 * queries run on which window.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localFileEngine } from '../../../src/cli/query-local-engine.js';
import type { QueryEngine, TimeWindow } from '../../../src/query/index.js';
import { durationText } from '../../../src/report/duration-text.js';
import { binFor, reportSections, runReportQueries, SLOWEST_EXECUTIONS } from '../../../src/report/on-call-report.js';
import type { PageSection } from '../../../src/report/page-model.js';
import { inWindow, nearestRank, PREVIOUS, reportLines, WINDOW, type Line } from './report-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const all = reportLines();
const file = join(dir, 'all.ndjson');
writeFileSync(file, all.map((l) => JSON.stringify(l)).join('\n') + '\n');
const now = all.filter((l) => inWindow(l));
const summaries = (ls: Line[]): Line[] => ls.filter((l) => typeof l.event === 'string');

async function sections(): Promise<Record<string, PageSection>> {
  const answers = await runReportQueries(localFileEngine([file]), WINDOW);
  const list = reportSections(answers, { traceArgs: ['--input', file] });
  return Object.fromEntries(list.map((s) => [s.id, s]));
}

describe('the on-call report', () => {
  it('runs every query on the window and the percentiles query on the period before too', async () => {
    const calls: { text: string; window: TimeWindow | undefined }[] = [];
    const inner = localFileEngine([file]);
    const recording: QueryEngine = {
      name: 'recording',
      run: (text, window) => {
        calls.push({ text, window });
        return inner.run(text, window);
      },
    };
    const answers = await runReportQueries(recording, WINDOW);
    expect(answers.previous).toEqual(PREVIOUS);
    expect(calls.filter((c) => c.window === WINDOW)).toHaveLength(6);
    const before = calls.filter((c) => c.window !== WINDOW);
    expect(before.map((c) => c.window)).toEqual([PREVIOUS]);
    expect(before[0]!.text).toContain('pct(duration_ms, 99) as p99_ms');
    expect(binFor(WINDOW)).toBe('30m');
    expect(binFor({ startMs: 0, endMs: 3_600_000 })).toBe('1m');
    expect(binFor({ startMs: 0, endMs: 30 * 86_400_000 })).toBe('12h');
    expect(binFor({ startMs: 0, endMs: 90 * 86_400_000 })).toBe('1d');
  });

  it('errors by event, component and final_status, with their total', async () => {
    const s = (await sections())['errors']!;
    const byHand = new Map<string, number>();
    for (const l of now.filter((x) => x.outcome === 'error')) {
      const k = [l.event, l.context.component, l.final_status].join('|');
      byHand.set(k, (byHand.get(k) ?? 0) + 1);
    }
    expect(new Map(s.table!.rows.map((r) => [r.slice(0, 3).join('|'), Number(r[3])]))).toEqual(byHand);
    const total = [...byHand.values()].reduce((a, b) => a + b, 0);
    expect(s.notes[0]).toBe(`${total} errors in ${byHand.size} groups of event, component and final_status.`);
    expect(s.charts.map((c) => [c.kind, c.labels.length])).toEqual([['time', 48]]);
  });

  it('the slowest executions: one row a trace, slowest first, each with a trace command for the same input', async () => {
    const s = (await sections())['slowest']!;
    const best = new Map<string, number>();
    for (const l of summaries(now)) best.set(l.trace_id, Math.max(best.get(l.trace_id) ?? 0, l.duration_ms));
    const expected = [...best].sort((a, b) => b[1] - a[1]).slice(0, SLOWEST_EXECUTIONS);
    expect(s.table!.rows.map((r) => [r[5], r[1]])).toEqual(expected.map(([id, ms]) => [id, durationText(ms)]));
    expect(s.table!.rows[0]![6]).toBe(`alakai-otel trace ${expected[0]![0]} --input ${file}`);
    // Step-level lines carry duration_ms too, but they are not slices.
    expect(s.table!.rows.some((r) => r[1] === durationText(999_999_999))).toBe(false);
    expect(s.charts[0]!.kind).toBe('histogram');
    expect(s.charts[0]!.series[0]!.values.reduce((a, b) => a! + b!, 0)).toBe(100);
  });

  it('slot contention: the orchestrator slices that ended slot_unavailable', async () => {
    const s = (await sections())['slots']!;
    const slots = now.filter((l) => l.context?.component === 'orchestrator' && l.final_status === 'slot_unavailable');
    expect(s.table!.rows.map((r) => r[1])).toEqual(
      [...slots].sort((a, b) => Date.parse(b.time) - Date.parse(a.time)).map((l) => l.trace_id),
    );
    expect(s.notes[0]).toBe(
      `${slots.length} orchestrator slices ended slot_unavailable; the latest ${slots.length} below.`,
    );
    expect(s.charts[0]!.series[0]!.values.reduce((a, b) => a! + b!, 0)).toBe(slots.length);
  });

  it('p90 / p99 now against the period before, with the change', async () => {
    const s = (await sections())['percentiles']!;
    const before = all.filter((l) => inWindow(l, PREVIOUS));
    const pct = (ls: Line[], k: string, p: number): number =>
      nearestRank(
        summaries(ls)
          .filter((l) => `${l.event}|${l.context.component}` === k)
          .map((l) => l.duration_ms),
        p,
      );
    const row = s.table!.rows.find((r) => r[0] === 'coding.implementation' && r[1] === 'worker')!;
    const k = 'coding.implementation|worker';
    const [n99, b99] = [pct(now, k, 99), pct(before, k, 99)];
    expect(row.slice(5, 8)).toEqual([
      durationText(n99),
      durationText(b99),
      `+${Math.round(((n99 - b99) / b99) * 100)}%`,
    ]);
    expect(s.charts[0]!.series.map((x) => x.name)).toEqual(['p90 before', 'p90 now', 'p99 before', 'p99 now']);
  });

  it('an id trace would refuse gets no command; one with shell characters is quoted', async () => {
    const odd = join(dir, 'odd.ndjson');
    const base = { time: '2026-03-02T01:00:00.000Z', event: 'e', outcome: 'success', context: { component: 'worker' } };
    writeFileSync(
      odd,
      [
        { ...base, trace_id: "x'; rm -rf ~", duration_ms: 2 },
        { ...base, trace_id: 'bad\u0001id', duration_ms: 1 },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const answers = await runReportQueries(localFileEngine([odd]), WINDOW);
    const rows = reportSections(answers, { traceArgs: ['--input', 'my logs.ndjson'] }).find((x) => x.id === 'slowest')!
      .table!.rows;
    expect(rows.map((r) => r[6])).toEqual([`alakai-otel trace 'x'\\''; rm -rf ~' --input 'my logs.ndjson'`, '-']);
  });
});

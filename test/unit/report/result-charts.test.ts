/**
 * Which chart a result gets, and its data: each expectation is computed from the lines by hand,
 * the results come from the local engine, as `query --html` gets them.
 */
import { describe, expect, it } from 'vitest';
import { eventFromLine, parseQuery, runQuery, type QueryResult } from '../../../src/query/index.js';
import { chartsForResult, durationHistogram, MAX_CATEGORIES } from '../../../src/report/result-charts.js';
import { HOSTILE, inWindow, nearestRank, reportLines, WINDOW, type Line } from './report-lines.js';

function run(text: string, lines: Line[]): QueryResult {
  return runQuery(
    parseQuery(text),
    lines.map((l) => eventFromLine(JSON.stringify(l))),
  );
}

/** A result as GetQueryResults gives it: every value a string. */
function asStrings(r: QueryResult): QueryResult {
  return { ...r, rows: r.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]))) };
}

const lines = reportLines().filter((l) => inWindow(l));
const summaries = lines.filter((l) => typeof l.event === 'string');

describe('chartsForResult', () => {
  it('percentiles per event × component: bars, p90 and p99 side by side, the count on a chart of its own', () => {
    const text = `filter event like /./
| stats pct(duration_ms, 90) as p90_ms, pct(duration_ms, 99) as p99_ms, count() as total by event, context.component
| sort p99_ms desc`;
    const result = run(text, lines);
    for (const r of [result, asStrings(result)]) {
      const { charts } = chartsForResult(text, r);
      expect(charts.map((c) => [c.kind, c.yUnit, c.series.map((s) => s.name)])).toEqual([
        ['bar', 'ms', ['p90_ms', 'p99_ms']],
        ['bar', 'count', ['total']],
      ]);
      // By hand: the groups in p99 order, and their percentiles.
      const groups = new Map<string, number[]>();
      for (const l of summaries) {
        const k = `${l.event} · ${l.context.component}`;
        groups.set(k, [...(groups.get(k) ?? []), l.duration_ms]);
      }
      const expected = [...groups].map(([k, v]) => ({
        k,
        p90: nearestRank(v, 90),
        p99: nearestRank(v, 99),
        n: v.length,
      }));
      expected.sort((a, b) => b.p99 - a.p99);
      expect(charts[0]!.labels).toEqual(expected.map((e) => e.k));
      expect(charts[0]!.series[0]!.values).toEqual(expected.map((e) => e.p90));
      expect(charts[0]!.series[1]!.values).toEqual(expected.map((e) => e.p99));
      expect(charts[1]!.series[0]!.values).toEqual(expected.map((e) => e.n));
    }
  });

  it('errors by final_status over time: stacked counts, every bin of the window, empty bins zero', () => {
    const text = `filter outcome = "error" | stats count() as errors by bin(1h), final_status`;
    const { charts } = chartsForResult(text, run(text, lines), WINDOW);
    expect(charts).toHaveLength(1);
    const c = charts[0]!;
    expect([c.kind, c.stacked, c.lines, c.yUnit]).toEqual(['time', true, false, 'count']);
    expect(c.labels).toHaveLength(24);
    expect(c.labels[0]).toBe('2026-03-02 00:00');
    const byHand = new Map<string, number[]>();
    for (const l of lines.filter((x) => x.outcome === 'error')) {
      const values = byHand.get(l.final_status) ?? new Array<number>(24).fill(0);
      values[new Date(l.time).getUTCHours()]!++;
      byHand.set(l.final_status, values);
    }
    expect(new Map(c.series.map((s) => [s.name, s.values]))).toEqual(byHand);
  });

  it('an average over time is a line with gaps where a bin has no rows', () => {
    const text = `filter context.component = "worker" and outcome = "error" | stats avg(duration_ms) by bin(1h)`;
    const { charts } = chartsForResult(text, run(text, lines), WINDOW);
    const c = charts[0]!;
    expect([c.kind, c.stacked, c.lines, c.yUnit]).toEqual(['time', false, true, 'ms']);
    const values = c.series[0]!.values;
    expect(values.filter((v) => v === null).length).toBe(
      24 - new Set(lines.filter((l) => l.outcome === 'error').map((l) => new Date(l.time).getUTCHours())).size,
    );
  });

  it('rows with duration_ms: a histogram that counts every row once', () => {
    const text = `fields trace_id, duration_ms | filter context.component = "worker" | sort duration_ms desc | limit 50`;
    const { charts } = chartsForResult(text, run(text, lines));
    expect(charts).toHaveLength(1);
    const h = charts[0]!;
    expect(h.kind).toBe('histogram');
    const workers = summaries.filter((l) => l.context.component === 'worker').map((l) => l.duration_ms as number);
    expect(h.series[0]!.values.reduce((a, b) => a! + b!, 0)).toBe(workers.length);
    expect(h.labels.length).toBeLessThanOrEqual(20);
    // 60 s … 450 s in 20 buckets or fewer: 30 s wide, from 60 s.
    expect(h.labels[0]).toBe('1m–1m 30s');
    const inFirst = workers.filter((v) => v < 90_000).length;
    expect(h.series[0]!.values[0]).toBe(inFirst);
  });

  it('a command only CloudWatch runs (parse) still leaves the stats shape readable', () => {
    const text = `parse @message "x*y" as a | stats count() by a`;
    const result = {
      columns: ['a', 'count()'],
      rows: [{ a: 'x', 'count()': '1' }],
      statistics: { recordsScanned: 1, recordsMatched: 1 },
      truncated: false,
    };
    const c = chartsForResult(text, result).charts;
    expect(c.map((x) => [x.kind, x.labels, x.series])).toEqual([['bar', ['x'], [{ name: 'count()', values: [1] }]]]);
  });

  it('no chart where a person would read the table anyway, and says why', () => {
    const cases = [
      `stats count() by event | filter event = "none"`,
      `stats count() as n`,
      `fields trace_id, event | limit 5`,
      // Not in the local grammar (a CloudWatch engine may still answer it): shape unknown.
      `stats count(* by a`,
    ];
    for (const text of cases) {
      const result = text.startsWith('stats count(*')
        ? {
            columns: ['a', 'count()'],
            rows: [{ a: 'x', 'count()': 1 }],
            statistics: { recordsScanned: 1, recordsMatched: 1 },
            truncated: false,
          }
        : run(text, lines);
      const r = chartsForResult(text, result);
      expect(r.charts, text).toEqual([]);
      expect(r.reason, text).toBeTruthy();
    }
  });

  it('keeps the first categories, in the result order, and says so', () => {
    const many: Line[] = Array.from({ length: 60 }, (_, i) => ({
      event: `e${String(i).padStart(2, '0')}`,
      duration_ms: i,
    }));
    const text = `stats max(duration_ms) as slowest by event | sort slowest desc`;
    const c = chartsForResult(text, run(text, many)).charts[0]!;
    expect(c.labels).toHaveLength(MAX_CATEGORIES);
    expect(c.labels[0]).toBe('e59');
    expect(c.note).toContain(`first ${MAX_CATEGORIES} of 60`);
  });

  it('hostile values are data: series named __proto__ or </script> are kept as they are', () => {
    const hostile = reportLines({ hostile: true }).filter((l) => inWindow(l));
    const text = `filter outcome = "error" | stats count() as errors by bin(6h), final_status`;
    const c = chartsForResult(text, run(text, hostile)).charts[0]!;
    expect(c.series.map((s) => s.name)).toContain(HOSTILE);
    const byEvent = `stats count() as n by event`;
    const b = chartsForResult(byEvent, run(byEvent, hostile)).charts[0]!;
    expect(b.labels).toContain('__proto__');
    expect(({} as Record<string, unknown>)['errors']).toBeUndefined();
  });
});

describe('durationHistogram', () => {
  it('picks a width on a clock step and puts each value in exactly one bucket', () => {
    const h = durationHistogram('duration_ms', [0, 999, 1_000, 59_999, 60_000])!;
    expect(h.labels[0]).toBe('0ms–5s');
    expect(h.series[0]!.values.reduce((a, b) => a! + b!, 0)).toBe(5);
    expect(durationHistogram('d', [])).toBeUndefined();
    const wide = durationHistogram('d', [0, 40 * 86_400_000])!;
    expect(wide.labels.length).toBeLessThanOrEqual(20);
  });
});

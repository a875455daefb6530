/**
 * Which charts a query result gets, decided from its shape: the query's `stats` command (read
 * with the engine's own parser) and the values in the result. docs/query.md ("--html") lists the
 * rules:
 *
 * - `stats … by bin(P)[, keys…]` → a chart over time, one per aggregate: bins in order, the
 *   empty ones filled (a bin without a row is a zero for count/sum, a gap otherwise); other `by`
 *   keys become series, stacked for counts and sums (errors by final_status over time), lines
 *   for averages and percentiles (they do not add up).
 * - `stats … by keys` (no bin) → bars per group, one chart per field the aggregates are over:
 *   `pct(duration_ms, 90)` and `pct(duration_ms, 99)` side by side, `count()` in a chart of its
 *   own, since milliseconds and counts share no axis.
 * - rows without `stats` that carry a `…_ms` duration → a histogram of it (the distribution of
 *   slow executions).
 * - anything else (one stats row, a query the local parser does not read): the table alone.
 *
 * Values are read as the engine reads them (asNumber: a number, or a string of one, which is
 * what GetQueryResults returns), so the local and CloudWatch engines' results chart alike.
 */
import type { Query } from '../query/ast.js';
import { expressionText } from '../query/aggregates.js';
import { binPeriodMs, binStart } from '../query/bin.js';
import type { QueryResult, ResultRow } from '../query/engine.js';
import { formatTimestamp } from '../query/event.js';
import { parseQuery } from '../query/parse.js';
import type { TimeWindow } from '../query/query-engine.js';
import { asNumber } from '../query/values.js';
import { durationText } from './duration-text.js';
import type { AxisUnit, ChartSeries, ChartSpec } from './page-model.js';

/** Bars drawn before the rest are left out (the result's own order: its sort). */
export const MAX_CATEGORIES = 40;
/** Series drawn on one chart over time; the largest by total are kept. */
export const MAX_SERIES = 10;
/** Bins a time axis is filled out to; a wider span keeps only the bins that have rows. */
export const MAX_FILLED_BINS = 1_000;
/** Buckets a histogram has at most. */
export const MAX_BUCKETS = 20;

interface StatsKey {
  column: string;
  binMs?: number;
}
interface StatsAggregate {
  column: string;
  fn: string;
  /** The field aggregated (`duration_ms`), undefined for count() / count(*). */
  field: string | undefined;
}
interface StatsShape {
  keys: StatsKey[];
  aggregates: StatsAggregate[];
}

/** Functions whose values over disjoint groups add up: their series may be stacked. */
const ADDITIVE = new Set(['count', 'count_distinct', 'sum']);
const TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})$/;

function readQuery(text: string): Query | undefined {
  try {
    return parseQuery(text);
  } catch {
    return undefined;
  }
}

function statsShape(query: Query): StatsShape | undefined {
  const stats = query.find((c) => c.kind === 'stats');
  if (!stats) return undefined;
  const keys: StatsKey[] = [];
  for (const { expr, alias } of stats.by) {
    if (expr.kind === 'field') keys.push({ column: alias ?? expr.name });
    else if (expr.kind === 'call' && expr.name === 'bin' && expr.args[0]?.kind === 'duration') {
      const text = expr.args[0].text;
      try {
        keys.push({ column: alias ?? `bin(${text})`, binMs: binPeriodMs(text) });
      } catch {
        keys.push({ column: alias ?? `bin(${text})` });
      }
    }
  }
  const aggregates: StatsAggregate[] = [];
  for (const { expr, alias } of stats.aggregates) {
    if (expr.kind !== 'call') continue;
    const arg = expr.args[0];
    aggregates.push({
      column: alias ?? expressionText(expr),
      fn: expr.name,
      field: arg?.kind === 'field' && !(expr.name === 'count' && arg.name === '*') ? arg.name : undefined,
    });
  }
  return { keys, aggregates };
}

function cellText(v: ResultRow[string] | undefined): string {
  return v === undefined ? '(none)' : v === null ? 'null' : String(v);
}

function timestampMs(v: ResultRow[string] | undefined): number | undefined {
  const m = typeof v === 'string' ? TIMESTAMP.exec(v) : null;
  return m ? Date.parse(`${m[1]}T${m[2]}Z`) : undefined;
}

function binLabel(ms: number, binMs: number | undefined): string {
  const t = formatTimestamp(ms);
  const step = binMs ?? 0;
  return step >= 86_400_000 ? t.slice(0, 10) : step >= 60_000 ? t.slice(0, 16) : t.slice(0, 19);
}

function unitOf(field: string | undefined, fn: string): AxisUnit {
  if (fn === 'count' || fn === 'count_distinct') return 'count';
  return field !== undefined && /_ms$/i.test(field) ? 'ms' : 'number';
}

/** Aggregates grouped by the field they are over (count() on its own): one chart each. */
function measureGroups(aggregates: StatsAggregate[]): StatsAggregate[][] {
  const groups = new Map<string, StatsAggregate[]>();
  for (const a of aggregates) {
    const key = a.field === undefined || a.fn === 'count' || a.fn === 'count_distinct' ? `#${a.fn}` : a.field;
    const g = groups.get(key);
    if (g) g.push(a);
    else groups.set(key, [a]);
  }
  return [...groups.values()];
}

function groupTitle(group: StatsAggregate[]): string {
  return group.map((a) => a.column).join(', ');
}

function barCharts(shape: StatsShape, keys: StatsKey[], result: QueryResult): ChartSpec[] {
  const rows = result.rows.slice(0, MAX_CATEGORIES);
  const labels = rows.map((r) => keys.map((k) => cellText(r[k.column])).join(' · '));
  const by = keys.map((k) => k.column).join(' · ');
  const note =
    result.rows.length > rows.length
      ? `the first ${rows.length} of ${result.rows.length} rows, in the result's order`
      : undefined;
  return measureGroups(shape.aggregates).map((group) => ({
    kind: 'bar',
    title: `${groupTitle(group)} by ${by}`,
    labels,
    series: group.map((a) => ({ name: a.column, values: rows.map((r) => asNumber(r[a.column]) ?? null) })),
    xTitle: by,
    yTitle: group.length === 1 ? group[0]!.column : (group[0]!.field ?? 'count'),
    yUnit: unitOf(group[0]!.field, group[0]!.fn),
    stacked: false,
    lines: false,
    ...(note ? { note } : {}),
  }));
}

function timeCharts(
  shape: StatsShape,
  bin: StatsKey,
  others: StatsKey[],
  result: QueryResult,
  window: TimeWindow | undefined,
): ChartSpec[] {
  const rows = result.rows
    .map((r) => ({ r, t: timestampMs(r[bin.column]) }))
    .filter((x): x is { r: ResultRow; t: number } => x.t !== undefined);
  if (rows.length === 0) return [];
  const seen = [...new Set(rows.map((x) => x.t))].sort((a, b) => a - b);
  const binMs = bin.binMs;
  // The axis covers the query's window when it is known (an empty hour is part of the story).
  const first = Math.min(seen[0]!, window && binMs ? binStart(window.startMs, binMs) : Infinity);
  const last = Math.max(seen[seen.length - 1]!, window && binMs ? binStart(window.endMs - 1, binMs) : -Infinity);
  const filled = binMs !== undefined && (last - first) / binMs + 1 <= MAX_FILLED_BINS;
  const bins = filled ? Array.from({ length: (last - first) / binMs + 1 }, (_, i) => first + i * binMs) : seen;
  const index = new Map(bins.map((t, i) => [t, i]));
  const labels = bins.map((t) => binLabel(t, binMs));
  const by = others.map((k) => k.column).join(' · ');

  const chart = (group: StatsAggregate[], seriesOf: (agg: StatsAggregate) => ChartSeries[]): ChartSpec => {
    const additive = group.every((a) => ADDITIVE.has(a.fn));
    let series = group.flatMap(seriesOf);
    let note: string | undefined;
    if (series.length > MAX_SERIES) {
      const total = (s: ChartSeries): number => s.values.reduce<number>((n, v) => n + Math.abs(v ?? 0), 0);
      const kept = [...series].sort((a, b) => total(b) - total(a)).slice(0, MAX_SERIES);
      note = `the ${MAX_SERIES} largest of ${series.length} series`;
      series = series.filter((s) => kept.includes(s));
    }
    return {
      kind: 'time',
      title: `${groupTitle(group)} over time${by ? ` by ${by}` : ''}`,
      labels,
      series,
      xTitle: bin.column,
      yTitle: group.length === 1 ? group[0]!.column : (group[0]!.field ?? 'count'),
      yUnit: unitOf(group[0]!.field, group[0]!.fn),
      stacked: additive && others.length > 0,
      lines: !additive,
      ...(note ? { note } : {}),
    };
  };
  const empty = (agg: StatsAggregate): (number | null)[] => bins.map(() => (ADDITIVE.has(agg.fn) ? 0 : null));

  if (others.length === 0)
    return measureGroups(shape.aggregates).map((group) =>
      chart(group, (agg) => {
        const values = empty(agg);
        for (const { r, t } of rows) values[index.get(t)!] = asNumber(r[agg.column]) ?? null;
        return [{ name: agg.column, values }];
      }),
    );
  // With other keys, each aggregate gets its own chart and the key values are its series.
  return shape.aggregates.map((agg) =>
    chart([agg], () => {
      const bySeries = new Map<string, (number | null)[]>();
      for (const { r, t } of rows) {
        const name = others.map((k) => cellText(r[k.column])).join(' · ');
        let values = bySeries.get(name);
        if (!values) bySeries.set(name, (values = empty(agg)));
        values[index.get(t)!] = asNumber(r[agg.column]) ?? null;
      }
      return [...bySeries].map(([name, values]) => ({ name, values }));
    }),
  );
}

/** Nice bucket widths for milliseconds: 1-2-5 below a second, then the steps a clock has. */
const MS_STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

function bucketWidth(min: number, max: number): number {
  for (const step of MS_STEPS) if (Math.floor(max / step) - Math.floor(min / step) + 1 <= MAX_BUCKETS) return step;
  // Beyond a day: whole days, doubled until the buckets fit.
  let step = 86_400_000;
  while (Math.floor(max / step) - Math.floor(min / step) + 1 > MAX_BUCKETS) step *= 2;
  return step;
}

/** A histogram of a duration column: how many rows fall in each range. */
export function durationHistogram(column: string, values: readonly number[], title?: string): ChartSpec | undefined {
  const finite = values.filter((v) => Number.isFinite(v) && v >= 0);
  if (finite.length === 0) return undefined;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const step = bucketWidth(min, max);
  const base = Math.floor(min / step) * step;
  const counts = new Array<number>(Math.floor(max / step) - Math.floor(min / step) + 1).fill(0);
  for (const v of finite) counts[Math.floor((v - base) / step)]!++;
  return {
    kind: 'histogram',
    title: title ?? `distribution of ${column} (${finite.length} row${finite.length === 1 ? '' : 's'})`,
    labels: counts.map((_, i) => `${durationText(base + i * step)}–${durationText(base + (i + 1) * step)}`),
    series: [{ name: 'rows', values: counts }],
    xTitle: column,
    yTitle: 'rows',
    yUnit: 'count',
    stacked: false,
    lines: false,
  };
}

/** The duration column of a row result: `duration_ms`, else the first column ending in `_ms`. */
function durationColumn(result: QueryResult): string | undefined {
  const candidates = result.columns.filter((c) => /_ms$/i.test(c));
  const withValues = candidates.filter((c) => result.rows.some((r) => asNumber(r[c]) !== undefined));
  return withValues.find((c) => c === 'duration_ms') ?? withValues[0];
}

export interface ResultCharts {
  charts: ChartSpec[];
  /** Why there is no chart, when there is none. */
  reason?: string;
}

/** `window`: the time range the query ran over, when it had one; a time axis then spans all of it. */
export function chartsForResult(queryText: string, result: QueryResult, window?: TimeWindow): ResultCharts {
  if (result.rows.length === 0) return { charts: [], reason: 'no rows to chart' };
  const query = readQuery(queryText);
  if (!query) return { charts: [], reason: 'the local parser does not read this query, so its shape is unknown' };
  const shape = statsShape(query);
  if (!shape) {
    const column = durationColumn(result);
    if (column === undefined) return { charts: [], reason: 'rows without stats and without a …_ms duration column' };
    const values = result.rows.map((r) => asNumber(r[column])).filter((v): v is number => v !== undefined);
    const histogram = durationHistogram(column, values);
    return histogram ? { charts: [histogram] } : { charts: [], reason: `no ${column} values to chart` };
  }
  const present = new Set(result.columns);
  const keys = shape.keys.filter((k) => present.has(k.column));
  const visible: StatsShape = { keys, aggregates: shape.aggregates.filter((a) => present.has(a.column)) };
  if (visible.aggregates.length === 0) return { charts: [], reason: 'no aggregate column to chart' };
  const bin = keys.find((k) => k.binMs !== undefined) ?? keys.find((k) => k.column.startsWith('bin('));
  if (bin)
    return {
      charts: timeCharts(
        visible,
        bin,
        keys.filter((k) => k !== bin),
        result,
        window,
      ),
    };
  if (keys.length === 0) return { charts: [], reason: 'stats without by: one row, shown in the table' };
  return { charts: barCharts(visible, keys, result) };
}

/**
 * `alakai-otel report`: the page an on-call engineer opens first. It runs fixed Logs Insights
 * queries (the guide's, and a few in the same language) through a QueryEngine, so the same
 * report comes from files (the local engine) or from CloudWatch Logs, and turns the answers into
 * sections that print as tables or render as a page:
 *
 * - errors by event, component and final_status (and over time, by final_status);
 * - the slowest executions, each with the `alakai-otel trace` command that shows it;
 * - orchestrator slot contention (the guide's query, and over time);
 * - p90 / p99 per event and component against the previous period of the same length (the
 *   guide's percentiles query, run on both windows).
 */
import type { QueryResult, ResultRow } from '../query/engine.js';
import { fillQuery, guideQuery } from '../query/guide-queries.js';
import type { QueryEngine, TimeWindow } from '../query/query-engine.js';
import { asNumber } from '../query/values.js';
import { toOtelTraceId } from '../contract/trace-id.js';
import { durationText } from './duration-text.js';
import type { PageDoc, PageSection } from './page-model.js';
import { chartsForResult, durationHistogram } from './result-charts.js';
import { resultCell, resultTable } from './result-table.js';
import { shellWord } from './shell-quote.js';
import { windowText } from './window-text.js';

/** Slowest executions listed; the query reads SLOWEST_SLICES slices to find them. */
export const SLOWEST_EXECUTIONS = 20;
export const SLOWEST_SLICES = 100;

/** Bin widths for the over-time charts: the first that gives at most ~60 bins over the window. */
const BINS: [string, number][] = [
  ['1m', 60_000],
  ['5m', 300_000],
  ['15m', 900_000],
  ['30m', 1_800_000],
  ['1h', 3_600_000],
  ['3h', 10_800_000],
  ['6h', 21_600_000],
  ['12h', 43_200_000],
  ['1d', 86_400_000],
];

export function binFor(window: TimeWindow): string {
  const span = window.endMs - window.startMs;
  return (BINS.find(([, ms]) => span / ms <= 60) ?? BINS[BINS.length - 1]!)[0];
}

function guideText(name: string): string {
  return fillQuery(guideQuery(name)!);
}

/** The queries the report runs, by what they answer. */
export function reportQueries(bin: string): Record<ReportQueryName, string> {
  return {
    errors: `filter outcome = "error"
| stats count() as errors by event, context.component, final_status
| sort errors desc
| limit 100`,
    errorsOverTime: `filter outcome = "error"
| stats count() as errors by bin(${bin}), final_status`,
    slowest: `fields @timestamp, trace_id, event, context.component, final_status, duration_ms
| filter event like /./ and ispresent(duration_ms)
| sort duration_ms desc
| limit ${SLOWEST_SLICES}`,
    slots: guideText('slots'),
    slotsOverTime: `filter context.component = "orchestrator"
and final_status = "slot_unavailable"
| stats count() as slot_unavailable by bin(${bin})`,
    percentiles: guideText('percentiles'),
  };
}

export type ReportQueryName = 'errors' | 'errorsOverTime' | 'slowest' | 'slots' | 'slotsOverTime' | 'percentiles';

export interface ReportAnswers {
  window: TimeWindow;
  /** The period of the same length just before `window`. */
  previous: TimeWindow;
  queries: Record<ReportQueryName, string>;
  results: Record<ReportQueryName, QueryResult>;
  /** The percentiles query over `previous`. */
  previousPercentiles: QueryResult;
}

/**
 * Runs the report's queries one after another (CloudWatch limits concurrent Logs Insights
 * queries per account; one at a time leaves room for the user's own).
 */
export async function runReportQueries(engine: QueryEngine, window: TimeWindow): Promise<ReportAnswers> {
  const previous = { startMs: 2 * window.startMs - window.endMs, endMs: window.startMs };
  const queries = reportQueries(binFor(window));
  const results = {} as Record<ReportQueryName, QueryResult>;
  for (const name of Object.keys(queries) as ReportQueryName[]) results[name] = await engine.run(queries[name], window);
  const previousPercentiles = await engine.run(queries.percentiles, previous);
  return { window, previous, queries, results, previousPercentiles };
}

export interface SectionOptions {
  /** What follows `alakai-otel trace ID` so the command finds the execution (`--input …`, `--start … --end …`). */
  traceArgs: readonly string[];
}

function traceCommand(traceId: ResultRow[string] | undefined, options: SectionOptions): string {
  // Only an id `trace` itself accepts (the contract's rule) gets a command.
  if (typeof traceId !== 'string' || !toOtelTraceId(traceId).ok) return '-';
  return ['alakai-otel', 'trace', traceId, ...options.traceArgs].map(shellWord).join(' ');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function truncatedNote(result: QueryResult, what: string): string[] {
  return result.truncated ? [`TRUNCATED: ${what} has more rows than shown.`] : [];
}

function sum(result: QueryResult, column: string): number {
  return result.rows.reduce((n, r) => n + (asNumber(r[column]) ?? 0), 0);
}

function errorsSection(a: ReportAnswers): PageSection {
  const { errors, errorsOverTime } = a.results;
  const total = sum(errors, 'errors');
  return {
    id: 'errors',
    heading: 'Errors by event, component and final_status',
    notes: [
      total === 0
        ? 'No errors in the window.'
        : `${plural(total, 'error')} in ${plural(errors.rows.length, 'group')} of event, component and final_status.`,
      ...truncatedNote(errors, 'the errors query'),
    ],
    charts: total === 0 ? [] : [...chartsForResult(a.queries.errorsOverTime, errorsOverTime, a.window).charts],
    table: { ...resultTable(errors), empty: 'No errors.' },
    queries: [a.queries.errors, a.queries.errorsOverTime],
  };
}

function slowestSection(a: ReportAnswers, options: SectionOptions): PageSection {
  const slices = a.results.slowest;
  // The slowest slice of each execution: one row a trace, in the query's order (slowest first).
  const seen = new Set<string>();
  const rows: ResultRow[] = [];
  for (const r of slices.rows) {
    const id = resultCell(r['trace_id']);
    if (seen.has(id)) continue;
    seen.add(id);
    rows.push(r);
    if (rows.length === SLOWEST_EXECUTIONS) break;
  }
  const durations = slices.rows.map((r) => asNumber(r['duration_ms'])).filter((v): v is number => v !== undefined);
  const histogram = durationHistogram(
    'duration_ms',
    durations,
    `distribution of the ${plural(durations.length, 'slowest slice')}' duration_ms`,
  );
  const columns = ['@timestamp', 'duration', 'event', 'context.component', 'final_status', 'trace_id', 'show it'];
  return {
    id: 'slowest',
    heading: 'Slowest executions',
    notes: [
      `The slowest slice of each of the ${SLOWEST_EXECUTIONS} slowest executions, from the ${SLOWEST_SLICES} slowest slices (summary events with duration_ms); the last column shows the whole execution.`,
    ],
    charts: histogram ? [histogram] : [],
    table: {
      columns,
      rows: rows.map((r) => {
        const ms = asNumber(r['duration_ms']);
        return [
          resultCell(r['@timestamp']),
          ms === undefined ? '' : durationText(ms),
          resultCell(r['event']),
          resultCell(r['context.component']),
          resultCell(r['final_status']),
          resultCell(r['trace_id']),
          traceCommand(r['trace_id'], options),
        ];
      }),
      codeColumns: [columns.length - 1],
      empty: 'No summary events with a duration in the window.',
    },
    queries: [a.queries.slowest],
  };
}

function slotsSection(a: ReportAnswers, options: SectionOptions): PageSection {
  const { slots, slotsOverTime } = a.results;
  const total = sum(slotsOverTime, 'slot_unavailable');
  const table = resultTable(slots);
  return {
    id: 'slots',
    heading: 'Orchestrator slot contention',
    notes: [
      total === 0
        ? 'No orchestrator slice ended slot_unavailable in the window.'
        : `${plural(total, 'orchestrator slice')} ended slot_unavailable; the latest ${slots.rows.length} below.`,
    ],
    charts: total === 0 ? [] : chartsForResult(a.queries.slotsOverTime, slotsOverTime, a.window).charts,
    table: {
      columns: [...table.columns, 'show it'],
      rows: slots.rows.map((r, i) => [...table.rows[i]!, traceCommand(r['trace_id'], options)]),
      codeColumns: [table.columns.length],
      empty: 'No slot contention.',
    },
    queries: [a.queries.slots, a.queries.slotsOverTime],
  };
}

function change(now: number | undefined, before: number | undefined): string {
  if (now === undefined) return before === undefined ? '' : 'gone';
  if (before === undefined) return 'new';
  if (before === 0) return now === 0 ? '0%' : 'new';
  const pct = Math.round(((now - before) / before) * 100);
  return `${pct > 0 ? '+' : ''}${pct}%`;
}

function percentilesSection(a: ReportAnswers): PageSection {
  const key = (r: ResultRow): string => `${resultCell(r['event'])}\u0000${resultCell(r['context.component'])}`;
  const before = new Map(a.previousPercentiles.rows.map((r) => [key(r), r]));
  const now = new Map(a.results.percentiles.rows.map((r) => [key(r), r]));
  // This window's order (p99 descending), then the groups seen only before.
  const keys = [...now.keys(), ...[...before.keys()].filter((k) => !now.has(k))];
  const num = (r: ResultRow | undefined, c: string): number | undefined => (r ? asNumber(r[c]) : undefined);
  const ms = (v: number | undefined): string => (v === undefined ? '' : durationText(v));
  const rows = keys.map((k) => {
    const n = now.get(k);
    const b = before.get(k);
    const [event, component] = k.split('\u0000');
    return {
      label: `${event} · ${component}`,
      cells: [
        event!,
        component!,
        ms(num(n, 'p90_ms')),
        ms(num(b, 'p90_ms')),
        change(num(n, 'p90_ms'), num(b, 'p90_ms')),
        ms(num(n, 'p99_ms')),
        ms(num(b, 'p99_ms')),
        change(num(n, 'p99_ms'), num(b, 'p99_ms')),
        resultCell(n?.['total']),
        resultCell(b?.['total']),
      ],
      values: [num(b, 'p90_ms'), num(n, 'p90_ms'), num(b, 'p99_ms'), num(n, 'p99_ms')],
    };
  });
  const charted = rows.slice(0, 40);
  const series = ['p90 before', 'p90 now', 'p99 before', 'p99 now'].map((name, i) => ({
    name,
    values: charted.map((r) => r.values[i] ?? null),
  }));
  return {
    id: 'percentiles',
    heading: 'p90 / p99 duration against the previous period',
    notes: [
      `Now: this window; before: the ${durationText(a.window.endMs - a.window.startMs)} just before it. The guide's percentiles query, run on both.`,
      ...truncatedNote(a.results.percentiles, 'the percentiles query'),
    ],
    charts:
      rows.length === 0
        ? []
        : [
            {
              kind: 'bar',
              title: 'p90 / p99 duration_ms by event · context.component, before and now',
              labels: charted.map((r) => r.label),
              series,
              xTitle: 'event · context.component',
              yTitle: 'duration_ms',
              yUnit: 'ms',
              stacked: false,
              lines: false,
              ...(rows.length > charted.length ? { note: `the first ${charted.length} of ${rows.length} groups` } : {}),
            },
          ],
    table: {
      columns: [
        'event',
        'context.component',
        'p90 now',
        'p90 before',
        'p90 change',
        'p99 now',
        'p99 before',
        'p99 change',
        'total now',
        'total before',
      ],
      rows: rows.map((r) => r.cells),
      empty: 'No summary events in either period.',
    },
    queries: [a.queries.percentiles],
  };
}

export function reportSections(answers: ReportAnswers, options: SectionOptions): PageSection[] {
  return [
    errorsSection(answers),
    slowestSection(answers, options),
    slotsSection(answers, options),
    percentilesSection(answers),
  ];
}

export interface ReportFacts {
  engine: string;
  source: string;
  generatedAt: Date;
}

export function reportPageDoc(answers: ReportAnswers, sections: PageSection[], facts: ReportFacts): PageDoc {
  return {
    title: 'alakai-otel report',
    facts: [
      `window: ${windowText(answers.window)} (before: ${windowText(answers.previous)})`,
      `engine: ${facts.engine}; input: ${facts.source}`,
      `made ${facts.generatedAt.toISOString()}`,
    ],
    sections,
  };
}

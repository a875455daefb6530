/**
 * The CloudWatch engine: the query text as it is, through Logs Insights over the log groups
 * (StartQuery, GetQueryResults polled with a growing interval; insights-query.ts, shared with the
 * backfill and `trace --insights`), rows `[{field, value}]` turned into the local engine's result
 * shape (`@ptr` dropped), and the query's statistics.
 *
 * The row cap: one query asks for at most `rowCap` rows (StartQuery `limit`, 10,000: one result
 * page). A window whose answer fills the cap while the query wants more may have been cut off. If
 * window-merge.ts says the query merges, the window is cut in two halves on whole seconds and each
 * is queried again (recursively, bounded by depth and by the number of queries), and the halves'
 * rows merge into the answer one query would give. Otherwise — or when the bounds are reached —
 * the result says it is truncated, with the reason, never quietly short.
 *
 * Times: StartQuery takes whole epoch seconds, both ends inclusive
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html), so the
 * window [start, end) in ms becomes seconds [⌊start/1000⌋, ⌈end/1000⌉ − 1]. Values come back as
 * text, as GetQueryResults gives them; `@timestamp` in epoch ms (moto) is printed as Logs Insights
 * prints it.
 */
import type { CloudWatchLogsClient, ResultField } from '@aws-sdk/client-cloudwatch-logs';
import { SourceUserError } from '../backfill/source-types.js';
import {
  INSIGHTS_DEFAULT_ROWS,
  INSIGHTS_LIMIT_MAX,
  INSIGHTS_MAX_LOG_GROUPS,
  runInsightsQuery,
  type InsightsQueryDeps,
  type InsightsStatistics,
} from '../backfill/sources/insights-query.js';
import type { Query } from './ast.js';
import { compileQuery, type QueryResult, type ResultRow } from './engine.js';
import { formatTimestamp } from './event.js';
import { parseQuery } from './parse.js';
import type { QueryEngine, TimeWindow } from './query-engine.js';
import { QueryError } from './query-error.js';
import { mergePlan, newestFirst, WindowMerger, type MergePlan } from './window-merge.js';

/** Queries one `run` may start, splits included. */
export const DEFAULT_MAX_QUERIES = 64;
/** Halvings of the range at most (a day halves to under 2 s in 16). */
export const DEFAULT_MAX_SPLIT_DEPTH = 16;

export interface CloudWatchEngineOptions {
  client: CloudWatchLogsClient;
  logGroups: readonly string[];
  /** The retry rule every AWS call goes through (sendWithAwsRetry). */
  send: InsightsQueryDeps['send'];
  sleep: (ms: number) => Promise<void>;
  pollMs?: number;
  maxPollMs?: number;
  /** One query's bound; the service itself stops a query at 60 minutes. */
  queryTimeoutMs?: number;
  rowCap?: number;
  maxQueries?: number;
  maxSplitDepth?: number;
  signal?: AbortSignal;
  /** Each StopQuery sent on abort, so the caller can let it go out before the process exits. */
  onStop?: (sent: Promise<unknown>) => void;
  /** Progress for a person: long waits, window splits. */
  onProgress?: (line: string) => void;
  /** A query still running this long is said, then every `progressEveryMs` (default 5 s, 10 s). */
  progressAfterMs?: number;
  progressEveryMs?: number;
}

interface WindowAnswer {
  rows: ResultRow[];
  statistics: InsightsStatistics;
  order: string[];
}

function isoS(s: number): string {
  return new Date(s * 1000).toISOString().replace('.000Z', 'Z');
}

/** One service row → a result row: `@ptr` dropped, absent fields left out, epoch-ms @timestamp printed. */
function toRow(fields: readonly ResultField[], order: string[]): ResultRow {
  const row = Object.create(null) as ResultRow;
  for (const f of fields) {
    const name = f.field;
    if (typeof name !== 'string' || name === '@ptr' || typeof f.value !== 'string') continue;
    if (!order.includes(name)) order.push(name);
    row[name] = name === '@timestamp' && /^\d{1,16}$/.test(f.value) ? formatTimestamp(Number(f.value)) : f.value;
  }
  return row;
}

/** The columns the local engine would give this query, when it knows the query. */
function knownColumns(query: Query | undefined): string[] | undefined {
  if (!query) return undefined;
  try {
    return compileQuery(query).start().finish().columns;
  } catch {
    return undefined;
  }
}

function serviceRefusal(err: unknown, logGroups: readonly string[]): Error | undefined {
  const e = err as { name?: unknown; message?: unknown };
  const name = typeof e?.name === 'string' ? e.name : '';
  const text = typeof e?.message === 'string' ? e.message : '';
  // The service's text reaches the terminal on one line.
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const message = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200);
  if (name === 'MalformedQueryException' || name === 'InvalidParameterException')
    return new QueryError(`CloudWatch refused the query: ${message}`);
  if (name === 'ResourceNotFoundException') {
    const groups = logGroups.slice(0, 5).join(', ').slice(0, 200);
    return new SourceUserError(`CloudWatch Logs: ${message} (queried: ${groups}; --log-group names others)`);
  }
  return undefined;
}

export function cloudWatchEngine(options: CloudWatchEngineOptions): QueryEngine {
  const rowCap = Math.max(1, Math.min(INSIGHTS_LIMIT_MAX, Math.floor(options.rowCap ?? INSIGHTS_DEFAULT_ROWS)));
  const maxQueries = Math.max(1, options.maxQueries ?? DEFAULT_MAX_QUERIES);
  const maxDepth = Math.max(0, options.maxSplitDepth ?? DEFAULT_MAX_SPLIT_DEPTH);
  const say = options.onProgress ?? (() => undefined);
  const progressAfterMs = options.progressAfterMs ?? 5_000;
  const progressEveryMs = options.progressEveryMs ?? 10_000;
  if (options.logGroups.length === 0 || options.logGroups.length > INSIGHTS_MAX_LOG_GROUPS)
    throw new SourceUserError(`Logs Insights takes 1 to ${INSIGHTS_MAX_LOG_GROUPS} log groups a query`);

  return {
    name: 'cloudwatch',
    async run(queryText: string, window: TimeWindow | undefined): Promise<QueryResult> {
      if (!window) throw new SourceUserError('a CloudWatch query needs a time range');
      let query: Query | undefined;
      try {
        query = parseQuery(queryText);
      } catch (err) {
        // The local grammar is a subset: CloudWatch judges what it does not know.
        if (!(err instanceof QueryError)) throw err;
      }
      const plan: MergePlan = query
        ? mergePlan(query)
        : { kind: 'none', reason: 'the query is not in the subset this tool can merge', limit: INSIGHTS_DEFAULT_ROWS };
      let queries = 0;
      let splits = 0;
      let truncatedBecause: string | undefined;
      const order: string[] = [];

      async function ask(startS: number, endS: number): Promise<WindowAnswer> {
        queries++;
        let lastSaid = -Infinity;
        try {
          const r = await runInsightsQuery(
            { logGroups: options.logGroups, startS, endS, queryString: queryText, limit: rowCap },
            {
              client: options.client,
              send: options.send,
              sleep: options.sleep,
              pollMs: options.pollMs ?? 500,
              maxPollMs: options.maxPollMs ?? 5000,
              timeoutMs: options.queryTimeoutMs ?? 15 * 60_000,
              ...(options.signal ? { signal: options.signal } : {}),
              ...(options.onStop ? { onStop: options.onStop } : {}),
              onWaiting: (status, elapsedMs) => {
                if (elapsedMs < progressAfterMs || elapsedMs - lastSaid < progressEveryMs) return;
                lastSaid = elapsedMs;
                say(`Logs Insights query ${queries} still ${status} after ${Math.round(elapsedMs / 1000)} s`);
              },
            },
          );
          return { rows: r.rows.map((f) => toRow(f, order)), statistics: r.statistics, order };
        } catch (err) {
          throw serviceRefusal(err, options.logGroups) ?? err;
        }
      }

      const budgetSpent = (): string =>
        `the ${maxQueries} queries this run may use were not enough to split every full window`;
      /** The window's answer was cut at the cap while the query asks for more. */
      const cutOff = (a: WindowAnswer): boolean => a.rows.length >= rowCap && rowCap < plan.limit;

      const startS = Math.floor(window.startMs / 1000);
      const endS = Math.max(startS, Math.ceil(window.endMs / 1000) - 1);
      const root = await ask(startS, endS);
      let rows: ResultRow[];
      let overflow = false;
      if (!cutOff(root)) rows = root.rows;
      else if (plan.kind === 'none') {
        truncatedBecause = `the answer reached the ${rowCap.toLocaleString('en-US')}-row cap and cannot be split: ${plan.reason}`;
        rows = root.rows;
      } else {
        const merger = new WindowMerger(plan);
        const visit = async (a: number, b: number, depth: number, answer: WindowAnswer): Promise<void> => {
          if (!cutOff(answer)) return merger.add(answer.rows);
          if (a >= b || depth >= maxDepth || queries + 2 > maxQueries) {
            truncatedBecause ??=
              a >= b ? `one second (${isoS(a)}) holds more than ${rowCap.toLocaleString('en-US')} rows` : budgetSpent();
            return merger.add(answer.rows);
          }
          splits++;
          say(`${isoS(a)}–${isoS(b + 1)} reached the ${rowCap.toLocaleString('en-US')}-row cap: querying its halves`);
          const mid = Math.floor((a + b) / 2);
          const halves: [number, number][] = [
            [a, mid],
            [mid + 1, b],
          ];
          if (newestFirst(plan)) halves.reverse();
          for (const [x, y] of halves) {
            if (merger.enough()) {
              // Later windows cannot change the answer; more events may have matched there.
              overflow = true;
              break;
            }
            if (queries >= maxQueries) {
              truncatedBecause ??= budgetSpent();
              break;
            }
            await visit(x, y, depth + 1, await ask(x, y));
          }
        };
        await visit(startS, endS, 0, root);
        rows = merger.result();
        overflow ||= merger.overflow;
      }

      const matched = root.statistics.recordsMatched ?? rows.length;
      const truncated =
        truncatedBecause !== undefined ||
        overflow ||
        (plan.kind === 'groups' || (query?.some((c) => c.kind === 'stats') ?? false)
          ? rows.length >= plan.limit
          : matched > rows.length);
      return {
        columns: knownColumns(query) ?? order,
        rows,
        statistics: {
          recordsScanned: root.statistics.recordsScanned ?? 0,
          recordsMatched: matched,
          ...(root.statistics.bytesScanned !== undefined ? { bytesScanned: root.statistics.bytesScanned } : {}),
        },
        truncated,
        ...(truncatedBecause !== undefined ? { truncatedBecause } : {}),
        windows: { queries, split: splits },
      };
    },
  };
}

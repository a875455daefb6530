/**
 * One Logs Insights query, start to finish: StartQuery, GetQueryResults polled with a growing
 * interval until the query ends, result pages followed by nextToken, and StopQuery when the run is
 * aborted while the query still runs (a query left behind keeps one of the account's concurrent
 * slots for up to 60 minutes).
 *
 * Facts used (checked against the API reference of StartQuery and GetQueryResults in
 * @aws-sdk/client-cloudwatch-logs 3.1169, and the query syntax page
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html):
 *  - without `limit` a query returns up to 10,000 rows; `limit` may be raised to 100,000;
 *  - one GetQueryResults call returns at most 10,000 rows, the rest by nextToken;
 *  - startTime/endTime are epoch SECONDS, both inclusive;
 *  - at most 50 log groups a query;
 *  - queries time out after 60 minutes.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html
 */
import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';

/** Rows a query returns when it has no `limit`, and the most one GetQueryResults page holds. */
export const INSIGHTS_DEFAULT_ROWS = 10_000;
/** The largest `limit` StartQuery accepts (Logs Insights QL). */
export const INSIGHTS_LIMIT_MAX = 100_000;
/** Log groups one query may name. */
export const INSIGHTS_MAX_LOG_GROUPS = 50;
/** The service's own timeout for one query. */
export const INSIGHTS_QUERY_TIMEOUT_MS = 60 * 60_000;

export interface InsightsQuerySpec {
  logGroups: readonly string[];
  /** Epoch seconds, inclusive. */
  startS: number;
  endS: number;
  queryString: string;
  limit: number;
}

/** The query's `statistics` as GetQueryResults gives them (each undefined when the service left it out). */
export interface InsightsStatistics {
  recordsMatched: number | undefined;
  recordsScanned: number | undefined;
  bytesScanned: number | undefined;
}

export interface InsightsQueryResult {
  rows: ResultField[][];
  /** statistics.recordsMatched when the service gave it: how many rows the window really holds. */
  recordsMatched: number | undefined;
  statistics: InsightsStatistics;
}

export interface InsightsQueryDeps {
  client: CloudWatchLogsClient;
  /** Wraps every AWS call in the caller's retry policy. */
  send: <T>(call: () => Promise<T>) => Promise<T>;
  sleep: (ms: number) => Promise<void>;
  /** First poll interval; it grows ×1.5 up to `maxPollMs`. */
  pollMs: number;
  maxPollMs: number;
  /** Give up on one query after this long. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Each StopQuery sent, so the caller can wait for them before the process exits. */
  onStop?: (sent: Promise<unknown>) => void;
  /** After each poll that found the query still running: its status and how long it has run. */
  onWaiting?: (status: string, elapsedMs: number) => void;
}

export class InsightsAbortedError extends Error {
  override name = 'InsightsAbortedError';
  constructor() {
    super('interrupted: running Logs Insights queries were stopped');
  }
}

export async function runInsightsQuery(spec: InsightsQuerySpec, deps: InsightsQueryDeps): Promise<InsightsQueryResult> {
  if (deps.signal?.aborted) throw new InsightsAbortedError();
  const started = await deps.send(() =>
    deps.client.send(
      new StartQueryCommand({
        logGroupNames: [...spec.logGroups],
        startTime: spec.startS,
        endTime: spec.endS,
        queryString: spec.queryString,
        limit: spec.limit,
      }),
    ),
  );
  const queryId = started.queryId;
  if (!queryId) throw new Error('StartQuery returned no queryId');
  let finished = false;
  const stop = (): void => {
    if (finished) return;
    finished = true;
    // Best effort: the run is ending anyway, and some endpoints (moto) do not serve StopQuery.
    deps.onStop?.(deps.client.send(new StopQueryCommand({ queryId })).catch(() => undefined));
  };
  deps.signal?.addEventListener('abort', stop, { once: true });
  try {
    const began = Date.now();
    const deadline = began + deps.timeoutMs;
    let wait = deps.pollMs;
    for (;;) {
      if (deps.signal?.aborted) throw new InsightsAbortedError();
      const result = await deps.send(() => deps.client.send(new GetQueryResultsCommand({ queryId })));
      const status = result.status ?? 'Unknown';
      if (status === 'Complete') {
        const rows = [...(result.results ?? [])];
        // Results beyond one page (a `limit` above 10,000) come by nextToken.
        for (let token = result.nextToken; token;) {
          if (deps.signal?.aborted) throw new InsightsAbortedError();
          const page = await deps.send(() =>
            deps.client.send(
              new GetQueryResultsCommand({ queryId, nextToken: token, maxItems: INSIGHTS_DEFAULT_ROWS }),
            ),
          );
          rows.push(...(page.results ?? []));
          token = page.nextToken && page.nextToken !== token ? page.nextToken : undefined;
        }
        finished = true;
        const stats = result.statistics;
        return {
          rows,
          recordsMatched: stats?.recordsMatched,
          statistics: {
            recordsMatched: stats?.recordsMatched,
            recordsScanned: stats?.recordsScanned,
            bytesScanned: stats?.bytesScanned,
          },
        };
      }
      if (status === 'Failed' || status === 'Cancelled' || status === 'Timeout') {
        finished = true;
        throw new Error(`Logs Insights query ${status.toLowerCase()}`);
      }
      if (Date.now() > deadline) {
        stop();
        throw new Error(`Logs Insights query still ${status} after ${Math.round(deps.timeoutMs / 1000)} s`);
      }
      deps.onWaiting?.(status, Date.now() - began);
      await deps.sleep(wait);
      wait = Math.min(deps.maxPollMs, Math.ceil(wait * 1.5));
    }
  } catch (err) {
    if (deps.signal?.aborted) {
      stop();
      throw new InsightsAbortedError();
    }
    throw err;
  } finally {
    deps.signal?.removeEventListener('abort', stop);
  }
}

/** One value of a result row (rows are `[{field, value}]`, in no promised order). */
export function fieldOf(row: readonly ResultField[], name: string): string | undefined {
  for (const f of row) if (f.field === name) return typeof f.value === 'string' ? f.value : undefined;
  return undefined;
}

/**
 * `@timestamp` as Logs Insights prints it, `2026-05-05 12:00:00.000` in UTC; also plain epoch
 * milliseconds (moto) and ISO 8601. NaN when it is neither.
 */
export function parseInsightsTimestamp(value: string | undefined): number {
  if (value === undefined || value.length > 40) return Number.NaN;
  if (/^\d{1,16}$/.test(value)) return Number(value);
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`);
}

/**
 * A CloudWatch Logs time range through Logs Insights, the bulk source for long ranges: one query
 * covers all the log groups of a window at once (up to 50 a query; more are queried in chunks of
 * 50), so an empty or sparse month costs a few dozen queries instead of a FilterLogEvents call per
 * 10-minute window per log group.
 *
 * - The range is cut into windows on a fixed grid (insights-windows.ts). Each window runs
 *   `fields @timestamp, @message, @log, @logStream | sort @timestamp asc | limit N`.
 * - A window that comes back with N rows may have been cut off: it is split (by the matched count
 *   the service reports) and its pieces are queried again. A one-second window that is still full
 *   is queried once more with the largest `limit` (100,000); still full, the cut is counted
 *   (`rejected.insights_row_cap`), never hidden.
 * - Up to `maxConcurrentQueries` windows are queried at once, in time order, and handed over in
 *   time order; that bound also caps what waits in memory. The account's quota is shared with
 *   dashboards and other users (100 concurrent queries per account in the current StartQuery
 *   reference, 30 in older ones), so the default stays well under it; a LimitExceededException is
 *   retried with backoff like throttling.
 * - Every window ends in a batch (empty or not) whose resume hint is the window start: with a
 *   checkpoint after each window, a resumed run reads again at most the window it was in.
 * - close() (abort, SIGTERM, a failure elsewhere) stops the queries still running (StopQuery).
 * - Rows are validated client-side like every other line: moto ignores `filter`/`stats`, and the
 *   service's second-granular times are narrowed to the window's milliseconds here.
 */
import { setMaxListeners } from 'node:events';
import { DescribeLogGroupsCommand, type CloudWatchLogsClient, type ResultField } from '@aws-sdk/client-cloudwatch-logs';
import type { BackfillCounters } from '../report.js';
import { countInto } from '../report.js';
import { DEFAULT_RETRY, sleep as realSleep, type RetryPolicy } from '../retry.js';
import { type LogSource, type ResumeHint, type SourceBatch, type SourceRecord } from '../source-types.js';
import { classifyAwsError, sendWithAwsRetry } from './aws-errors.js';
import { MAX_MESSAGE_CHARS } from './cloudwatch-filter-source.js';
import {
  INSIGHTS_DEFAULT_ROWS,
  INSIGHTS_LIMIT_MAX,
  INSIGHTS_MAX_LOG_GROUPS,
  InsightsAbortedError,
  fieldOf,
  parseInsightsTimestamp,
  runInsightsQuery,
  type InsightsQueryDeps,
} from './insights-query.js';
import { gridWindows, splitWindow, type TimeWindow } from './insights-windows.js';

/** A day a window: 30 queries for a quiet month; a busy day splits itself. */
export const DEFAULT_INSIGHTS_WINDOW_MS = 24 * 60 * 60_000;
/** Well under the account's concurrent-query quota, which dashboards and colleagues share. */
export const DEFAULT_MAX_CONCURRENT_QUERIES = 10;
/** How long close() waits for StopQuery answers. */
const STOP_GRACE_MS = 3000;
/** The StartQuery quota in the current API reference; the flag may not ask for more. */
export const MAX_CONCURRENT_QUERIES_QUOTA = 100;

export interface InsightsProgress {
  windowsDone: number;
  windowsTotal: number;
  rows: number;
}

export interface InsightsRangeOptions {
  client: CloudWatchLogsClient;
  logGroups: readonly string[];
  startMs: number;
  endMs: number;
  counters: BackfillCounters;
  windowMs?: number;
  maxConcurrentQueries?: number;
  /** Rows a query asks for (`limit`): 10,000 (one result page) unless raised, up to 100,000. */
  rowLimit?: number;
  retry?: RetryPolicy;
  /** Poll interval: starts here, grows ×1.5 up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  queryTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  onProgress?: (progress: InsightsProgress) => void;
}

interface Slot {
  w: TimeWindow;
  task?: Promise<void>;
  /** Replaced in the queue by its pieces. */
  split?: boolean;
  records?: SourceRecord[];
  error?: Error;
}

interface Row {
  ts: number;
  log: string;
  stream: string;
  record: SourceRecord;
}

const QUERY_FIELDS = 'fields @timestamp, @message, @log, @logStream';

function queryString(limit: number): string {
  return `${QUERY_FIELDS} | sort @timestamp asc | limit ${limit}`;
}

/** Time, then log group, stream and text: the same order whatever order the service sent. */
function byTimeThenOrigin(a: Row, b: Row): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  if (a.log !== b.log) return a.log < b.log ? -1 : 1;
  if (a.stream !== b.stream) return a.stream < b.stream ? -1 : 1;
  const x = a.record.text ?? '';
  const y = b.record.text ?? '';
  return x === y ? 0 : x < y ? -1 : 1;
}

export function openInsightsRangeSource(options: InsightsRangeOptions, resumeAt?: ResumeHint): LogSource {
  const rowLimit = Math.max(1, Math.min(INSIGHTS_LIMIT_MAX, Math.floor(options.rowLimit ?? INSIGHTS_DEFAULT_ROWS)));
  const maxConcurrent = Math.max(
    1,
    Math.min(MAX_CONCURRENT_QUERIES_QUOTA, options.maxConcurrentQueries ?? DEFAULT_MAX_CONCURRENT_QUERIES),
  );
  const retry = options.retry ?? DEFAULT_RETRY;
  const counters = options.counters;
  const startMs = Math.max(options.startMs, resumeAt?.windowStartMs ?? options.startMs);
  let ordinal = resumeAt?.windowStartMs !== undefined ? resumeAt.ordinal : 0;
  const queue: Slot[] = gridWindows(startMs, options.endMs, options.windowMs ?? DEFAULT_INSIGHTS_WINDOW_MS).map(
    (w) => ({ w }),
  );
  const progress: InsightsProgress = { windowsDone: 0, windowsTotal: queue.length, rows: 0 };
  const aborter = new AbortController();
  // Each running query listens for the abort: up to the quota at once, more than Node's default 10.
  setMaxListeners(MAX_CONCURRENT_QUERIES_QUOTA + 10, aborter.signal);
  const stopsSent: Promise<unknown>[] = [];
  const onOuterAbort = (): void => aborter.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) aborter.abort();
  const aborted = new Promise<never>((_, reject) =>
    aborter.signal.addEventListener('abort', () => reject(new InsightsAbortedError()), { once: true }),
  );
  aborted.catch(() => undefined);

  const send = sendWithAwsRetry(retry, counters.retries);
  const deps: InsightsQueryDeps = {
    client: options.client,
    send,
    sleep: options.sleep ?? realSleep,
    pollMs: options.pollMs ?? 500,
    maxPollMs: options.maxPollMs ?? 5000,
    timeoutMs: options.queryTimeoutMs ?? 15 * 60_000,
    signal: aborter.signal,
    onStop: (sent) => stopsSent.push(sent),
  };

  // The log groups still queried: a missing one is found once, reported, and left out.
  let groups = options.logGroups.filter((g) => !counters.missingLogGroups.includes(g));
  let probing: Promise<void> | undefined;
  let probed = false;
  async function probeMissingGroups(): Promise<void> {
    const missing: string[] = [];
    for (const name of groups) {
      let found = false;
      let nextToken: string | undefined;
      // Exact name among the prefix matches; a few pages at most for a real account.
      for (let page = 0; page < 20 && !found; page++) {
        const out = await send(() =>
          options.client.send(
            new DescribeLogGroupsCommand({ logGroupNamePrefix: name, ...(nextToken ? { nextToken } : {}) }),
          ),
        );
        found = (out.logGroups ?? []).some((g) => g.logGroupName === name);
        nextToken = out.nextToken;
        if (!nextToken) break;
      }
      if (!found) missing.push(name);
    }
    for (const name of missing) counters.missingLogGroups.push(name);
    groups = groups.filter((g) => !missing.includes(g));
    probed = true;
  }

  async function queryWindow(
    w: TimeWindow,
    limit: number,
  ): Promise<{ rows: ResultField[][]; full: boolean; matched: number }> {
    const rows: ResultField[][] = [];
    let full = false;
    let matched = 0;
    for (let i = 0; i < groups.length; i += INSIGHTS_MAX_LOG_GROUPS) {
      const chunk = groups.slice(i, i + INSIGHTS_MAX_LOG_GROUPS);
      const spec = {
        logGroups: chunk,
        startS: Math.floor(w.startMs / 1000),
        // Inclusive, and moto reads it as "up to endTime·1000 ms": round up, narrow client-side.
        endS: Math.ceil(w.endMs / 1000),
        queryString: queryString(limit),
        limit,
      };
      let result;
      try {
        result = await runInsightsQuery(spec, deps);
      } catch (err) {
        if (classifyAwsError(err).kind !== 'missing_group' || probed) throw err;
        probing ??= probeMissingGroups();
        await probing;
        return queryWindow(w, limit);
      }
      rows.push(...result.rows);
      if (result.rows.length >= limit) full = true;
      matched += result.recordsMatched ?? result.rows.length;
    }
    return { rows, full, matched };
  }

  function toRecords(w: TimeWindow, serverRows: ResultField[][]): SourceRecord[] {
    const rows: Row[] = [];
    const bad: SourceRecord[] = [];
    for (const r of serverRows) {
      const ts = parseInsightsTimestamp(fieldOf(r, '@timestamp'));
      if (!Number.isFinite(ts)) {
        bad.push({ text: undefined, readError: 'bad_cloudwatch_event' });
        continue;
      }
      // The query's edges are whole seconds; the neighbour window owns what lies outside.
      if (ts < w.startMs || ts >= w.endMs) continue;
      const message = fieldOf(r, '@message');
      const record: SourceRecord =
        message === undefined
          ? { text: undefined, readError: 'bad_cloudwatch_event' }
          : message.length > MAX_MESSAGE_CHARS
            ? { text: undefined, readError: 'too_large' }
            : { text: message.endsWith('\n') ? message.slice(0, -1) : message };
      rows.push({ ts, log: fieldOf(r, '@log') ?? '', stream: fieldOf(r, '@logStream') ?? '', record });
    }
    rows.sort(byTimeThenOrigin);
    return [...rows.map((r) => r.record), ...bad];
  }

  async function runSlot(slot: Slot): Promise<void> {
    try {
      if (groups.length === 0) {
        slot.records = [];
        return;
      }
      let limit = rowLimit;
      for (;;) {
        const { rows, full, matched } = await queryWindow(slot.w, limit);
        if (full) {
          const pieces = splitWindow(slot.w, matched, limit);
          if (pieces) {
            const at = queue.indexOf(slot);
            if (at >= 0) queue.splice(at, 1, ...pieces.map((w) => ({ w })));
            slot.split = true;
            progress.windowsTotal += pieces.length - 1;
            countInto(counters.retries, 'insights_window_split');
            return;
          }
          if (limit < INSIGHTS_LIMIT_MAX) {
            // One second holds more than the limit: ask once more with the largest limit there is.
            limit = INSIGHTS_LIMIT_MAX;
            continue;
          }
          countInto(counters.rejected, 'insights_row_cap');
        }
        slot.records = toRecords(slot.w, rows);
        return;
      }
    } catch (err) {
      slot.error = err instanceof Error ? err : new Error(String(err));
    } finally {
      pump();
    }
  }

  /** Starts queued windows, earliest first, while fewer than the bound are running or waiting. */
  function pump(): void {
    if (aborter.signal.aborted) return;
    let active = 0;
    for (const s of queue) if (s.task) active++;
    for (const s of queue) {
      if (active >= maxConcurrent) break;
      if (s.task) continue;
      s.task = runSlot(s);
      active++;
    }
  }

  async function next(): Promise<SourceBatch | undefined> {
    for (;;) {
      const head = queue[0];
      if (!head) return undefined;
      if (!head.task) pump();
      await Promise.race([head.task, aborted]);
      if (head.split) continue;
      queue.shift();
      pump();
      if (head.error !== undefined) throw head.error;
      const records = head.records ?? [];
      progress.windowsDone++;
      progress.rows += records.length;
      options.onProgress?.({ ...progress });
      const firstOrdinal = ordinal;
      ordinal += records.length;
      return {
        records,
        firstOrdinal,
        resume: { ordinal: firstOrdinal, windowStartMs: head.w.startMs },
        watermarkMs: head.w.startMs,
        windowEnd: true,
      };
    }
  }

  return {
    id: `cloudwatch-insights:${options.logGroups.join(',')}`,
    resumable: true,
    next,
    async close() {
      options.signal?.removeEventListener('abort', onOuterAbort);
      // Stops what still runs (the tasks notice and end), and waits a little for the StopQuery
      // calls to go out: a process that exits first leaves the queries holding quota slots.
      aborter.abort();
      if (stopsSent.length === 0) return;
      // An unref'd timer: a grace period must not keep a finished process alive.
      const grace = new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
      await Promise.race([Promise.allSettled(stopsSent), grace]);
    },
  };
}

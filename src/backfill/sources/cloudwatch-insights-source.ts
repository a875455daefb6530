/**
 * Log lines of one execution through CloudWatch Logs Insights — the guide's runbook query
 * (`filter trace_id = "…" | sort @timestamp asc`) across up to 50 log groups at once.
 *
 * Insights returns at most 10,000 rows a query
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html): a window
 * that comes back full is split in two and both halves are queried again, down to one second, so
 * nothing is silently cut off; a one-second window that is still full is counted
 * (`rejected.insights_row_cap`), never hidden. One query runs at a time (the account allows
 * 30–100 concurrent ones), polled until it completes (insights-query.ts, shared with the range
 * source and `query`); StartQuery's LimitExceededException and
 * throttling are retried with backoff. moto ignores the `filter`, so lines are validated and
 * matched client-side as everywhere else.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { BackfillCounters } from '../report.js';
import { countInto } from '../report.js';
import { DEFAULT_RETRY, sleep as realSleep, type RetryPolicy } from '../retry.js';
import { type LogSource, type SourceBatch, type SourceRecord, SourceUserError } from '../source-types.js';
import { sendWithAwsRetry } from './aws-errors.js';
import { fieldOf, runInsightsQuery } from './insights-query.js';

export const INSIGHTS_MAX_ROWS = 10_000;
export const INSIGHTS_MAX_GROUPS = 50;

export interface InsightsOptions {
  client: CloudWatchLogsClient;
  logGroups: string[];
  startMs: number;
  endMs: number;
  /** The Alakai trace id (UUID form), as the services log it. */
  traceId: string;
  counters: BackfillCounters;
  retry?: RetryPolicy;
  pollMs?: number;
  /** Give up on one query after this long (Insights itself stops at 60 minutes). */
  queryTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Only ids the trace-id policy accepts reach here, but never let a quote into the query text. */
function queryFor(traceId: string): string {
  if (!/^[\x20-\x7e]+$/.test(traceId) || /["\\]/.test(traceId))
    throw new SourceUserError('trace id cannot be used in a Logs Insights query');
  return `fields @timestamp, @message | filter trace_id = "${traceId}" | sort @timestamp asc | limit ${INSIGHTS_MAX_ROWS}`;
}

export function openInsightsSource(options: InsightsOptions): LogSource {
  if (options.logGroups.length > INSIGHTS_MAX_GROUPS)
    throw new SourceUserError(`Logs Insights takes at most ${INSIGHTS_MAX_GROUPS} log groups`);
  const queryString = queryFor(options.traceId);
  const retry = options.retry ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? realSleep;
  const pollMs = options.pollMs ?? 1000;
  const timeoutMs = options.queryTimeoutMs ?? 15 * 60_000;
  // Insights takes whole seconds; windows are [startS, endS] inclusive, in time order.
  const windows: [number, number][] = [[Math.floor(options.startMs / 1000), Math.ceil(options.endMs / 1000)]];
  let ordinal = 0;

  const send = sendWithAwsRetry(retry, options.counters.retries);

  async function runQuery(startS: number, endS: number): Promise<{ rows: SourceRecord[]; full: boolean }> {
    const result = await runInsightsQuery(
      { logGroups: options.logGroups, startS, endS, queryString, limit: INSIGHTS_MAX_ROWS },
      { client: options.client, send, sleep, pollMs, maxPollMs: pollMs, timeoutMs },
    );
    const rows: SourceRecord[] = [];
    for (const row of result.rows) {
      const message = fieldOf(row, '@message');
      if (message === undefined) rows.push({ text: undefined, readError: 'bad_cloudwatch_event' });
      else rows.push({ text: message.endsWith('\n') ? message.slice(0, -1) : message });
    }
    return { rows, full: result.rows.length >= INSIGHTS_MAX_ROWS };
  }

  async function next(): Promise<SourceBatch | undefined> {
    for (;;) {
      const window = windows.shift();
      if (!window) return undefined;
      const [startS, endS] = window;
      const { rows, full } = await runQuery(startS, endS);
      if (full && endS > startS) {
        // A full answer may be cut off: query both halves instead (earlier half first).
        const mid = Math.floor((startS + endS) / 2);
        windows.unshift([startS, mid], [mid + 1, endS]);
        countInto(options.counters.retries, 'insights_window_split');
        continue;
      }
      if (full) countInto(options.counters.rejected, 'insights_row_cap');
      if (rows.length === 0) continue;
      const firstOrdinal = ordinal;
      ordinal += rows.length;
      return { records: rows, firstOrdinal, resume: { ordinal: firstOrdinal }, watermarkMs: startS * 1000 };
    }
  }

  return { id: `insights:${options.logGroups.join(',')}`, resumable: false, next, async close() {} };
}

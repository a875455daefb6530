/**
 * Log lines from CloudWatch Logs through FilterLogEvents, within its limits
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html,
 * DESIGN.md "Facts"): one log group per call; 5 requests a second per account and region (shared
 * token bucket); pages of ≤ 1 MB / 10,000 events that may be EMPTY while a nextToken remains (keep
 * paging); throttling/limit/5xx errors retried with backoff and jitter; a nextToken that expires
 * mid-pagination restarts the page from the last timestamp seen, skipping events already read
 * (by eventId). A filter pattern narrows what the server sends, but every line is still validated
 * client-side (the pattern is approximate, and moto ignores it).
 *
 * The range is read in fetch windows (all log groups of one window before the next), so the three
 * services' lines of one execution arrive close together and the assembler can close traces as
 * the windows pass. Batches carry a watermark: nothing read later is older than the window start.
 */
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import type { BackfillCounters } from '../report.js';
import { countInto } from '../report.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import {
  type LogSource,
  type ResumeHint,
  type SourceBatch,
  type SourceRecord,
  SourceUserError,
} from '../source-types.js';
import { quietAwsSdkNodeVersionWarning } from './aws-sdk-warning.js';
import { classifyAwsError } from './aws-errors.js';
import type { TokenBucket } from './token-bucket.js';

export interface CloudWatchFilterOptions {
  client: CloudWatchLogsClient;
  logGroups: string[];
  startMs: number;
  endMs: number;
  /** Fetch window; keep it at most the trace window. */
  windowMs?: number;
  filterPattern?: string;
  limiter: TokenBucket;
  retry?: RetryPolicy;
  counters: BackfillCounters;
  /** Page restarts allowed per group and window before giving up (a token that never works). */
  maxRestarts?: number;
}

export const DEFAULT_FETCH_WINDOW_MS = 10 * 60_000;
const MAX_MESSAGE_CHARS = 2 * 1024 * 1024;

class RestartPagination extends Error {}

export function openCloudWatchFilterSource(options: CloudWatchFilterOptions, resumeAt?: ResumeHint): LogSource {
  const windowMs = Math.max(1000, options.windowMs ?? DEFAULT_FETCH_WINDOW_MS);
  const groups = options.logGroups;
  const retry = options.retry ?? DEFAULT_RETRY;
  const maxRestarts = options.maxRestarts ?? 20;
  let windowStart = resumeAt?.windowStartMs ?? options.startMs;
  let ordinal = resumeAt?.windowStartMs !== undefined ? resumeAt.ordinal : 0;
  let windowOrdinal = ordinal;
  let groupIndex = 0;
  let nextToken: string | undefined;
  let restartFromMs: number | undefined;
  let restarts = 0;
  let lastTs = Number.NEGATIVE_INFINITY;
  let idsAtLastTs = new Set<string>();
  const skipBefore = resumeAt?.windowStartMs === undefined ? (resumeAt?.ordinal ?? 0) : 0;
  const missing = new Set(options.counters.missingLogGroups);

  const nextGroup = (): void => {
    groupIndex++;
    nextToken = undefined;
    restartFromMs = undefined;
    restarts = 0;
    lastTs = Number.NEGATIVE_INFINITY;
    idsAtLastTs = new Set();
  };

  async function fetchPage(group: string, windowEnd: number): Promise<FilterLogEventsCommandOutput | 'missing'> {
    try {
      return await withRetry(
        async () => {
          await options.limiter.take();
          try {
            return await options.client.send(
              new FilterLogEventsCommand({
                logGroupName: group,
                startTime: restartFromMs ?? windowStart,
                // endTime is inclusive: the window is [start, end).
                endTime: windowEnd - 1,
                ...(options.filterPattern ? { filterPattern: options.filterPattern } : {}),
                ...(nextToken ? { nextToken } : {}),
              }),
            );
          } catch (err) {
            const c = classifyAwsError(err);
            if (c.kind === 'restart_pagination') throw new RestartPagination(c.reason);
            throw err;
          }
        },
        (err) => {
          if (err instanceof RestartPagination) return { retry: false };
          const c = classifyAwsError(err);
          return c.kind === 'retry' ? { retry: true, reason: c.reason } : { retry: false };
        },
        retry,
        (reason) => countInto(options.counters.retries, reason),
      );
    } catch (err) {
      if (err instanceof RestartPagination) throw err;
      const cause = (err as { cause?: unknown }).cause ?? err;
      const c = classifyAwsError(cause);
      if (c.kind === 'missing_group') return 'missing';
      if (c.kind === 'user') throw new SourceUserError(c.message);
      throw err;
    }
  }

  async function next(): Promise<SourceBatch | undefined> {
    for (;;) {
      if (windowStart >= options.endMs) return undefined;
      const windowEnd = Math.min(options.endMs, windowStart + windowMs);
      if (groupIndex >= groups.length) {
        // Window done: an empty batch that moves the watermark to its end.
        const batch: SourceBatch = {
          records: [],
          firstOrdinal: ordinal,
          resume: { ordinal, windowStartMs: windowEnd },
          watermarkMs: windowEnd,
        };
        windowStart = windowEnd;
        windowOrdinal = ordinal;
        groupIndex = -1;
        nextGroup();
        return batch;
      }
      const group = groups[groupIndex]!;
      if (missing.has(group)) {
        nextGroup();
        continue;
      }
      let page: FilterLogEventsCommandOutput | 'missing';
      try {
        page = await fetchPage(group, windowEnd);
      } catch (err) {
        if (!(err instanceof RestartPagination)) throw err;
        countInto(options.counters.retries, err.message);
        if (++restarts > maxRestarts)
          throw new Error(`FilterLogEvents on ${group}: pagination token kept failing (${restarts} restarts)`, {
            cause: err,
          });
        nextToken = undefined;
        restartFromMs = Number.isFinite(lastTs) ? lastTs : windowStart;
        continue;
      }
      if (page === 'missing') {
        missing.add(group);
        options.counters.missingLogGroups.push(group);
        nextGroup();
        continue;
      }
      const records: SourceRecord[] = [];
      for (const event of page.events ?? []) {
        const ts = typeof event.timestamp === 'number' ? event.timestamp : Number.NaN;
        const id = event.eventId ?? '';
        if (Number.isFinite(ts)) {
          if (ts < lastTs) {
            // After a restart the server starts again at lastTs; anything older was read already.
            if (restartFromMs !== undefined) continue;
          } else if (ts === lastTs) {
            if (id && idsAtLastTs.has(id)) continue;
          } else {
            lastTs = ts;
            idsAtLastTs = new Set();
          }
          if (id) idsAtLastTs.add(id);
        }
        if (ordinal++ < skipBefore) continue;
        const message = event.message;
        if (typeof message !== 'string' || message.length > MAX_MESSAGE_CHARS) {
          records.push({
            text: undefined,
            readError: typeof message !== 'string' ? 'bad_cloudwatch_event' : 'too_large',
          });
          continue;
        }
        records.push({ text: message.endsWith('\n') ? message.slice(0, -1) : message });
      }
      nextToken = page.nextToken || undefined;
      if (!nextToken) nextGroup();
      // An empty page with a nextToken is normal (the server stopped on its scan budget): keep going.
      if (records.length === 0) continue;
      return {
        records,
        firstOrdinal: ordinal - records.length,
        resume: { ordinal: windowOrdinal, windowStartMs: windowStart },
        watermarkMs: windowStart,
      };
    }
  }

  return {
    id: `cloudwatch:${groups.join(',')}`,
    resumable: true,
    next,
    async close() {},
  };
}

/** The CloudWatch Logs client from the standard AWS configuration (env, profile, config files). */
export function cloudWatchClient(opts: { region?: string; profile?: string; endpoint?: string }): CloudWatchLogsClient {
  quietAwsSdkNodeVersionWarning();
  // Our own retry loop (withRetry) owns backoff and counts retries; the SDK's would double it.
  return new CloudWatchLogsClient({
    maxAttempts: 1,
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
  });
}

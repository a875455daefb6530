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
 * Each log group is read by ONE pagination over the whole range (FilterLogEvents returns a group's
 * events in time order, interleaved across its streams), read lazily: a page is fetched only when
 * the lines buffered for the group run out. The lines are handed over in fetch windows (all log
 * groups of one window before the next), so the three services' lines of one execution arrive
 * close together and the assembler can close traces as the windows pass. A window in which no
 * group has a line costs no call: the next window is the one holding the earliest buffered line.
 * So the calls follow the data (pages, plus the empty pages the server's scan budget gives), not
 * the range. Batches carry a watermark: nothing read later is older than the window start.
 */
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
  type FilteredLogEvent,
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
/** The longest message taken (events are ≤ 1 MB; JS strings count UTF-16 units). */
export const MAX_MESSAGE_CHARS = 2 * 1024 * 1024;

class RestartPagination extends Error {}

/** What has been read of one log group: its own pagination over the whole range. */
interface GroupCursor {
  name: string;
  /** Events fetched but not handed over yet (their window has not come). */
  buffer: FilteredLogEvent[];
  nextToken: string | undefined;
  /** No page is left: the group has nothing more in the range. */
  exhausted: boolean;
  restartFromMs: number | undefined;
  restarts: number;
  lastTs: number;
  idsAtLastTs: Set<string>;
}

export function openCloudWatchFilterSource(options: CloudWatchFilterOptions, resumeAt?: ResumeHint): LogSource {
  const windowMs = Math.max(1000, options.windowMs ?? DEFAULT_FETCH_WINDOW_MS);
  const retry = options.retry ?? DEFAULT_RETRY;
  const maxRestarts = options.maxRestarts ?? 20;
  const readFromMs = resumeAt?.windowStartMs ?? options.startMs;
  let windowStart = readFromMs;
  let ordinal = resumeAt?.windowStartMs !== undefined ? resumeAt.ordinal : 0;
  let windowOrdinal = ordinal;
  let groupIndex = 0;
  const skipBefore = resumeAt?.windowStartMs === undefined ? (resumeAt?.ordinal ?? 0) : 0;
  const missing = new Set(options.counters.missingLogGroups);
  const cursors: GroupCursor[] = options.logGroups
    .filter((g) => !missing.has(g))
    .map((name) => ({
      name,
      buffer: [],
      nextToken: undefined,
      exhausted: false,
      restartFromMs: undefined,
      restarts: 0,
      lastTs: Number.NEGATIVE_INFINITY,
      idsAtLastTs: new Set(),
    }));

  async function fetchPage(c: GroupCursor): Promise<FilterLogEventsCommandOutput | 'missing'> {
    try {
      return await withRetry(
        async () => {
          await options.limiter.take();
          try {
            return await options.client.send(
              new FilterLogEventsCommand({
                logGroupName: c.name,
                startTime: c.restartFromMs ?? readFromMs,
                // One pagination over the rest of the range, not one per window: an empty stretch
                // then costs no call at all. endTime is inclusive: the range is [start, end).
                endTime: options.endMs - 1,
                // Deprecated and always on at AWS; moto honours it (time order across streams).
                interleaved: true,
                ...(options.filterPattern ? { filterPattern: options.filterPattern } : {}),
                ...(c.nextToken ? { nextToken: c.nextToken } : {}),
              }),
            );
          } catch (err) {
            const k = classifyAwsError(err);
            if (k.kind === 'restart_pagination') throw new RestartPagination(k.reason);
            throw err;
          }
        },
        (err) => {
          if (err instanceof RestartPagination) return { retry: false };
          const k = classifyAwsError(err);
          return k.kind === 'retry' ? { retry: true, reason: k.reason } : { retry: false };
        },
        retry,
        (reason) => countInto(options.counters.retries, reason),
      );
    } catch (err) {
      if (err instanceof RestartPagination) throw err;
      const cause = (err as { cause?: unknown }).cause ?? err;
      const k = classifyAwsError(cause);
      if (k.kind === 'missing_group') return 'missing';
      if (k.kind === 'user') throw new SourceUserError(k.message);
      throw err;
    }
  }

  /** Fetches the group's next page into its buffer (events already read are skipped). */
  async function fill(c: GroupCursor): Promise<void> {
    let page: FilterLogEventsCommandOutput | 'missing';
    try {
      page = await fetchPage(c);
    } catch (err) {
      if (!(err instanceof RestartPagination)) throw err;
      countInto(options.counters.retries, err.message);
      if (++c.restarts > maxRestarts)
        throw new Error(`FilterLogEvents on ${c.name}: pagination token kept failing (${c.restarts} restarts)`, {
          cause: err,
        });
      c.nextToken = undefined;
      c.restartFromMs = Number.isFinite(c.lastTs) ? c.lastTs : readFromMs;
      return;
    }
    if (page === 'missing') {
      missing.add(c.name);
      options.counters.missingLogGroups.push(c.name);
      c.exhausted = true;
      return;
    }
    for (const event of page.events ?? []) {
      const ts = typeof event.timestamp === 'number' ? event.timestamp : Number.NaN;
      const id = event.eventId ?? '';
      if (Number.isFinite(ts)) {
        if (ts < c.lastTs) {
          // After a restart the server starts again at lastTs; anything older was read already.
          if (c.restartFromMs !== undefined) continue;
        } else if (ts === c.lastTs) {
          if (id && c.idsAtLastTs.has(id)) continue;
        } else {
          c.lastTs = ts;
          c.idsAtLastTs = new Set();
        }
        if (id) c.idsAtLastTs.add(id);
      }
      c.buffer.push(event);
    }
    c.nextToken = page.nextToken || undefined;
    if (!c.nextToken) c.exhausted = true;
  }

  /** Hands over the group's buffered events older than `windowEnd`, numbered. */
  function drain(c: GroupCursor, windowEnd: number): SourceRecord[] {
    const records: SourceRecord[] = [];
    const keep: FilteredLogEvent[] = [];
    for (const event of c.buffer) {
      const ts = typeof event.timestamp === 'number' ? event.timestamp : Number.NaN;
      // The pagination runs in time order; an event without a usable time goes out at once.
      if (ts >= windowEnd) {
        keep.push(event);
        continue;
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
    c.buffer = keep;
    return records;
  }

  /**
   * Where the window after [.., windowEnd) starts: right after it while some group may still have
   * lines there, else at the grid window holding the earliest line any group has buffered (the
   * empty stretch in between costs nothing), or the range end when every group is done.
   */
  function nextWindowStart(windowEnd: number): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const c of cursors) {
      if (missing.has(c.name)) continue;
      if (c.buffer.length === 0) {
        if (!c.exhausted) return windowEnd;
        continue;
      }
      for (const e of c.buffer) if (typeof e.timestamp === 'number' && e.timestamp < earliest) earliest = e.timestamp;
    }
    if (earliest === Number.POSITIVE_INFINITY) return options.endMs;
    const k = Math.floor((earliest - options.startMs) / windowMs);
    return Math.min(options.endMs, Math.max(windowEnd, options.startMs + k * windowMs));
  }

  async function next(): Promise<SourceBatch | undefined> {
    for (;;) {
      if (windowStart >= options.endMs) return undefined;
      const windowEnd = Math.min(options.endMs, windowStart + windowMs);
      if (groupIndex >= cursors.length) {
        // Window done: an empty batch that moves the watermark to the next window's start.
        const nextStart = nextWindowStart(windowEnd);
        const batch: SourceBatch = {
          records: [],
          firstOrdinal: ordinal,
          resume: { ordinal, windowStartMs: nextStart },
          watermarkMs: nextStart,
        };
        windowStart = nextStart;
        windowOrdinal = ordinal;
        groupIndex = 0;
        return batch;
      }
      const c = cursors[groupIndex]!;
      const records = drain(c, windowEnd);
      // Done with the group for this window once it holds a later line or has nothing more.
      if (c.buffer.length > 0 || c.exhausted || missing.has(c.name)) groupIndex++;
      else await fill(c);
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
    id: `cloudwatch:${options.logGroups.join(',')}`,
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
    // StartLiveTail (follow --live-tail) prefixes the host with `stream-` (the API model's
    // hostPrefix); an endpoint of one's own (moto, a proxy) has no such name: no prefix there.
    ...(opts.endpoint ? { disableHostPrefix: true } : {}),
  });
}

/**
 * `follow` over one CloudWatch log group by FilterLogEvents polling (DESIGN.md "Facts";
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html).
 *
 * Every `pollIntervalMs` one pagination asks for the events from a lower bound on, page by page
 * (pages may be empty while a nextToken remains), each request taking a token from the bucket
 * shared by everything that calls CloudWatch Logs in this account and region (5 TPS for
 * FilterLogEvents, not raisable). The new events of a poll go out in timestamp order.
 *
 * The lower bound trails by `overlapMs`: an event is stamped by its writer and becomes visible
 * only after ingestion, so a poll must ask again for the last stretch it already asked for. After
 * a poll that began at time P the bound is P − overlap (the task's "newest seen − overlap" when
 * events flow; in a quiet group it keeps the re-read stretch at one overlap instead of growing).
 * What the overlap brings twice is dropped EXACTLY, by eventId: the ids of the events at or after
 * the bound are kept (bounded: pruned as the bound moves; past `maxSeenIds` the bound moves up
 * instead, counted as `overlap_shortened`, so nothing goes out twice). An event that takes longer
 * than the overlap to be ingested is missed: the overlap is the promise.
 *
 * Trouble never ends the source: throttling, 5xx and network errors are retried with backoff and
 * jitter (backfill/retry.ts, classified by aws-errors.ts), state `retrying`; a log group that does
 * not exist (yet, or any more: ResourceNotFoundException) is `missing` and polled at a slower pace
 * until it comes back; a nextToken that expires restarts the pagination (the ids drop what was read).
 *
 * Position: {group, fromMs (the bound), newestMs, keys and their times} — reopening there asks
 * from the bound and drops every event already delivered. With Live Tail (live-tail-source.ts) the
 * events it delivered are known by a content key (Live Tail events carry no eventId), and the
 * poller keeps content keys of its own events too, so neither path delivers what the other did.
 */
import { createHash } from 'node:crypto';
import {
  type CloudWatchLogsClient,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../../backfill/retry.js';
import { classifyAwsError } from '../../backfill/sources/aws-errors.js';
import { MAX_MESSAGE_CHARS } from '../../backfill/sources/cloudwatch-filter-source.js';
import type { TokenBucket } from '../../backfill/sources/token-bucket.js';
import type {
  FollowLine,
  FollowSource,
  FollowSourceState,
  FollowSourceStatus,
  SourcePosition,
} from '../follow-types.js';
import { counted, oneLine } from './source-status.js';

export interface CloudWatchPollOptions {
  client: CloudWatchLogsClient;
  logGroup: string;
  /** The account+region's bucket, shared with every other CloudWatch Logs caller in the process. */
  limiter: TokenBucket;
  pollIntervalMs?: number;
  overlapMs?: number;
  /** Pace while the group is missing or a call keeps failing. */
  slowPollIntervalMs?: number;
  retry?: RetryPolicy;
  /** Bound on the event keys remembered for the overlap. */
  maxSeenKeys?: number;
  /** Events buffered in one poll before they go out (a long backlog goes out in parts, each in order). */
  maxEventsPerPoll?: number;
  /** Keep content keys too (Live Tail's events have no eventId). */
  contentDedupe?: boolean;
  /** Where reading starts without a position (epoch ms; default: now). */
  startMs?: number;
  clock?: () => number;
}

export const DEFAULT_CLOUDWATCH_POLL_MS = 2000;
export const DEFAULT_OVERLAP_MS = 60_000;
export const DEFAULT_SLOW_POLL_MS = 30_000;
export const DEFAULT_MAX_SEEN_KEYS = 200_000;
/** Pagination restarts (expired nextToken) allowed in one poll before it counts as a failure. */
const MAX_RESTARTS_PER_POLL = 10;

/** What a poll or Live Tail got from the server, reduced to what the dedupe and delivery need. */
export interface LogEventLike {
  eventId?: string | undefined;
  logStreamName?: string | undefined;
  timestamp?: number | undefined;
  message?: string | undefined;
}

class RestartPagination extends Error {}
class GroupMissing extends Error {}

/** The content key of an event: the same for its FilterLogEvents and its Live Tail copy. */
export function contentKey(e: LogEventLike): string {
  const h = createHash('sha256');
  h.update(`${e.logStreamName ?? ''}\n${e.timestamp ?? ''}\n`);
  h.update(e.message ?? '');
  return `c:${h.digest('base64url').slice(0, 22)}`;
}

export class CloudWatchPollSource implements FollowSource {
  readonly id: string;
  readonly ended: Promise<void> = new Promise<void>(() => undefined);
  private readonly intervalMs: number;
  private readonly overlapMs: number;
  private readonly slowMs: number;
  private readonly retry: RetryPolicy;
  private readonly maxSeen: number;
  private readonly maxPerPoll: number;
  private readonly clock: () => number;
  private deliver: ((lines: readonly FollowLine[]) => void) | undefined;
  /** Events at or after this time are asked for on the next poll. */
  private fromMs = 0;
  /** Keys (`id:…`, `c:…`) of the events delivered at or after fromMs, with their timestamps. */
  private readonly seen = new Map<string, number>();
  private newestMs: number | undefined;
  private lastOkPollAt: number | undefined;
  private state: FollowSourceState = 'reading';
  private lines = 0;
  private retries = 0;
  private readErrors = 0;
  private lastError: string | undefined;
  private readonly incidents: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly abort = new AbortController();
  /** Slower pace asked by Live Tail while its session covers the group. */
  private paceMs: number;

  constructor(private readonly options: CloudWatchPollOptions) {
    this.id = `cloudwatch:${options.logGroup}`;
    this.intervalMs = Math.max(10, options.pollIntervalMs ?? DEFAULT_CLOUDWATCH_POLL_MS);
    this.overlapMs = Math.max(0, options.overlapMs ?? DEFAULT_OVERLAP_MS);
    this.slowMs = Math.max(this.intervalMs, options.slowPollIntervalMs ?? DEFAULT_SLOW_POLL_MS);
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.maxSeen = Math.max(100, options.maxSeenKeys ?? DEFAULT_MAX_SEEN_KEYS);
    this.maxPerPoll = Math.max(1, options.maxEventsPerPoll ?? 20_000);
    this.clock = options.clock ?? Date.now;
    this.paceMs = this.intervalMs;
  }

  get logGroup(): string {
    return this.options.logGroup;
  }

  start(deliver: (lines: readonly FollowLine[]) => void, position?: SourcePosition): void {
    if (this.deliver) throw new Error(`${this.id}: started twice`);
    this.deliver = deliver;
    this.fromMs = this.options.startMs ?? this.clock();
    if (position) this.restore(position);
    this.schedule(0);
  }

  position(): SourcePosition {
    const keys: string[] = [];
    const times: number[] = [];
    for (const [k, t] of this.seen) {
      keys.push(k);
      times.push(t);
    }
    return {
      group: this.options.logGroup,
      fromMs: this.fromMs,
      newestMs: this.newestMs ?? null,
      keys,
      keyTimes: times,
    };
  }

  status(): FollowSourceStatus {
    const known = Math.max(this.newestMs ?? -Infinity, this.lastOkPollAt ?? -Infinity);
    return {
      id: this.id,
      state: this.state,
      lines: this.lines,
      retries: this.retries,
      readErrors: this.readErrors,
      ...(Number.isFinite(known) ? { lagMs: Math.max(0, this.clock() - known) } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      incidents: { ...this.incidents },
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.running;
    this.state = 'ended';
  }

  /** Live Tail covers the group (slow: polls only fill gaps) or not (the normal pace). */
  setPace(slow: boolean): void {
    this.paceMs = slow ? this.slowMs : this.intervalMs;
  }

  /** A poll as soon as the one running (if any) is done: Live Tail said it dropped events. */
  pollSoon(): void {
    if (this.stopped || this.running || !this.timer) return;
    clearTimeout(this.timer);
    this.schedule(0);
  }

  /**
   * Events Live Tail got for this group: those not delivered yet and not before the bound go out
   * now, in timestamp order, and are remembered by content key. Returns how many went out.
   */
  acceptLive(events: readonly LogEventLike[]): number {
    if (this.stopped) return 0;
    const fresh: LogEventLike[] = [];
    for (const e of events) {
      if (typeof e.timestamp !== 'number' || e.timestamp < this.fromMs) continue;
      if (this.seen.has(contentKey(e))) continue;
      fresh.push(e);
    }
    return this.flush(fresh);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll()
        .then(
          (next) => next,
          (err: unknown) => this.trouble(err),
        )
        .then((next) => {
          this.running = undefined;
          this.schedule(next);
        });
    }, ms);
    this.timer.unref();
  }

  /** A poll that failed after its retries: said in the status, tried again at the slow pace. */
  private trouble(err: unknown): number {
    if (this.stopped) return this.slowMs;
    this.state = 'retrying';
    const cause = (err as { cause?: unknown }).cause ?? err;
    const k = classifyAwsError(cause);
    this.lastError = k.kind === 'user' ? k.message : oneLine(cause);
    counted(this.incidents, 'poll_failed');
    return this.slowMs;
  }

  /** One pagination from the bound to now; returns when to poll next. */
  private async poll(): Promise<number> {
    const startedAt = this.clock();
    // One bound for the whole pagination (a nextToken belongs to the request it came with).
    const fromMs = this.fromMs;
    let nextToken: string | undefined;
    let restarts = 0;
    let buffer: FilteredLogEvent[] = [];
    const inPoll = new Set<string>();
    this.state = this.state === 'missing' ? 'missing' : 'reading';
    for (;;) {
      let page: FilterLogEventsCommandOutput;
      try {
        page = await this.fetch(fromMs, nextToken);
      } catch (err) {
        if (err instanceof GroupMissing) {
          this.flush(buffer);
          if (this.state !== 'missing') counted(this.incidents, 'missing');
          this.state = 'missing';
          this.lastError = `log group ${this.options.logGroup} does not exist`;
          return this.slowMs;
        }
        if (!(err instanceof RestartPagination) || ++restarts > MAX_RESTARTS_PER_POLL) throw err;
        counted(this.incidents, 'pagination_restarted');
        nextToken = undefined;
        continue;
      }
      if (this.stopped) return this.paceMs;
      for (const event of page.events ?? []) {
        const key = event.eventId ? `id:${event.eventId}` : contentKey(event);
        if (this.seen.has(key) || inPoll.has(key)) continue;
        // Before the bound: its key may be forgotten already (the overlap was shortened mid-poll).
        if (typeof event.timestamp === 'number' && event.timestamp < this.fromMs) continue;
        if (this.options.contentDedupe && this.seen.has(contentKey(event))) {
          // Live Tail delivered it: remember its id too, so the next overlap drops it cheaply.
          if (typeof event.timestamp === 'number') this.seen.set(key, event.timestamp);
          continue;
        }
        inPoll.add(key);
        buffer.push(event);
      }
      if (buffer.length >= this.maxPerPoll) {
        this.flush(buffer);
        buffer = [];
      }
      nextToken = page.nextToken || undefined;
      if (!nextToken) break;
    }
    this.flush(buffer);
    if (this.state === 'missing') counted(this.incidents, 'reappeared');
    this.lastOkPollAt = startedAt;
    this.lastError = undefined;
    this.state = 'waiting';
    this.moveBound(startedAt - this.overlapMs);
    return this.paceMs;
  }

  private async fetch(fromMs: number, nextToken: string | undefined): Promise<FilterLogEventsCommandOutput> {
    const signal = this.abort.signal;
    const policy: RetryPolicy = {
      ...this.retry,
      // The backoff ends early on stop(), so stopping never waits out a throttling storm.
      sleep: (ms) => abortableSleep(ms, signal, this.retry.sleep),
    };
    return withRetry(
      async () => {
        await this.options.limiter.take();
        if (signal.aborted) throw new Error('stopped');
        try {
          return await this.options.client.send(
            new FilterLogEventsCommand({
              logGroupName: this.options.logGroup,
              startTime: fromMs,
              // Deprecated and always on at AWS; moto honours it (time order across streams).
              interleaved: true,
              ...(nextToken ? { nextToken } : {}),
            }),
            { abortSignal: signal },
          );
        } catch (err) {
          const k = classifyAwsError(err);
          if (k.kind === 'restart_pagination') throw new RestartPagination(k.reason);
          if (k.kind === 'missing_group') throw new GroupMissing();
          throw err;
        }
      },
      (err) => {
        if (err instanceof RestartPagination || err instanceof GroupMissing || signal.aborted) return { retry: false };
        const k = classifyAwsError(err);
        return k.kind === 'retry' ? { retry: true, reason: k.reason } : { retry: false };
      },
      policy,
      (reason) => {
        this.retries++;
        this.state = 'retrying';
        this.lastError = reason;
        counted(this.incidents, reason);
      },
    );
  }

  /** Delivers events in timestamp order (stable), remembering their keys in the same step; returns how many went out. */
  private flush(events: readonly LogEventLike[]): number {
    if (events.length === 0 || this.stopped) return 0;
    const sorted = events
      .map((e, i) => ({ e, i }))
      .sort((a, b) => (a.e.timestamp ?? 0) - (b.e.timestamp ?? 0) || a.i - b.i)
      .map((x) => x.e);
    const out: FollowLine[] = [];
    for (const e of sorted) {
      const ts = typeof e.timestamp === 'number' && Number.isFinite(e.timestamp) ? e.timestamp : this.fromMs;
      const content = this.options.contentDedupe || !e.eventId ? contentKey(e) : undefined;
      // Checked here, in the synchronous step that delivers, so a Live Tail copy delivered while a
      // poll was paging (or two identical copies in one batch) cannot go out twice.
      const dup = content !== undefined && this.seen.has(content);
      if (e.eventId) this.seen.set(`id:${e.eventId}`, ts);
      if (dup) continue;
      if (content !== undefined) this.seen.set(content, ts);
      if (this.newestMs === undefined || ts > this.newestMs) this.newestMs = ts;
      const message = e.message;
      if (typeof message !== 'string' || message.length > MAX_MESSAGE_CHARS) {
        this.readErrors++;
        counted(this.incidents, typeof message !== 'string' ? 'bad_cloudwatch_event' : 'too_large');
        continue;
      }
      out.push({ text: message.endsWith('\n') ? message.slice(0, -1) : message, timestampMs: ts });
    }
    if (this.seen.size > this.maxSeen) this.shortenOverlap();
    if (out.length === 0) return 0;
    this.lines += out.length;
    this.deliver!(out);
    return out.length;
  }

  /** The bound moves up (never down), forgetting the keys before it. */
  private moveBound(to: number): void {
    if (to <= this.fromMs) return;
    this.fromMs = to;
    for (const [k, t] of this.seen) if (t < to) this.seen.delete(k);
  }

  /** Too many keys for the overlap (a burst): the bound moves up to keep the newest ones. */
  private shortenOverlap(): void {
    const times = [...this.seen.values()].sort((a, b) => a - b);
    const cut = times[times.length - Math.floor(this.maxSeen / 2)]!;
    counted(this.incidents, 'overlap_shortened');
    this.moveBound(cut);
  }

  private restore(p: SourcePosition): void {
    if (p['group'] !== this.options.logGroup) return;
    const from = p['fromMs'];
    if (typeof from === 'number' && Number.isFinite(from)) this.fromMs = from;
    const newest = p['newestMs'];
    if (typeof newest === 'number' && Number.isFinite(newest)) this.newestMs = newest;
    // Untrusted JSON (a checkpoint file): arrays of the right element types only, bounded.
    const keys: unknown = p['keys'];
    const times: unknown = p['keyTimes'];
    if (!Array.isArray(keys) || !Array.isArray(times) || keys.length !== times.length) return;
    const n = Math.min(keys.length, this.maxSeen);
    for (let i = 0; i < n; i++) {
      const k: unknown = keys[i];
      const t: unknown = times[i];
      if (typeof k === 'string' && k.length <= 200 && typeof t === 'number' && t >= this.fromMs) this.seen.set(k, t);
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal, inner?: (ms: number) => Promise<void>): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  if (inner) return inner(ms);
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The one streaming converter from summary lines to exported spans, used by zero-code mode, the
 * pino transport, `alakai-otel live` and `alakai-otel follow` (and meant for the Lambda handler):
 *
 *   feed(line) → parseLogLine → summaryLineToSpans → one bounded queue → one or more destinations
 *   feedSpans(groups) ───────────────────────────────┘ (spans built elsewhere: follow's assembler)
 *
 * - One queue, one bound (`maxQueuedSpans`), one set of counters (`stats()`, converter-stats.ts).
 *   Each destination reads the queue at its own pace; a span stays in the queue until every
 *   destination has sent it. A line whose spans do not fit is dropped and counted, never waited
 *   for: `feed` never blocks and never throws.
 * - Counted per destination: a send that fails counts its spans as failed for that destination
 *   only, so one dead destination neither hides nor spoils the other's count (issue 12: `live`
 *   counted `exported − failed` over both).
 * - `flush(timeoutMs)` sends everything queued and waits at most `timeoutMs`; `shutdown(timeoutMs)`
 *   does the same once, then counts what is still unsent as `notSent`, closes the destinations and
 *   counts later summary lines as dropped (`afterShutdown`).
 * - `parse: 'soon'` keeps the caller's cost to a substring test and an array push: lines are parsed
 *   on a later turn (setImmediate), or at once by `drain()`, `flush()` and `shutdown()`. A line
 *   waiting to be parsed holds one unit of the bound (it is at least one span).
 * - A destination may send synchronously (an SDK export path only queues): then the spans leave
 *   the queue within `feed`/`drain` itself, and a flush of the SDK right after sees them.
 */
import { globalErrorHandler } from '@opentelemetry/core';
import { summaryLineToSpans } from '../../contract/event-to-spans.js';
import { DEFAULT_MAX_LINE_BYTES } from '../../contract/limits.js';
import { parseLogLine } from '../../contract/parse.js';
import type { SpanRecord } from '../../contract/span-record.js';
import { withinTimeout } from '../bounded.js';
import { zeroDrops, type ConverterDropReason, type ConverterStats, type DestinationStats } from './converter-stats.js';

/** What every summary line carries (its `msg`): lines without it are not parsed at all. */
export const SUMMARY_MARKER = '"[event] ';

export interface SpanDestination {
  /** For messages and `stats()` (an endpoint URL, a file name; never credentials). */
  readonly name: string;
  /** Spans per `send`, at most (default: no limit). A line with more is split across sends. */
  readonly batchSpans?: number;
  /**
   * Delivers one batch: the spans of consecutive summary lines, one group per line, in order. It
   * returns (or resolves) when the batch is delivered, and throws (or rejects) when it is not: the
   * whole batch then counts as failed. One send at a time per destination.
   */
  send(batch: readonly (readonly SpanRecord[])[]): Promise<void> | void;
  /** Called once by `shutdown()`, after the last send (files closed, connections released). */
  close?(): Promise<void> | void;
}

export interface SpanConverterOptions {
  /** Most spans held for the destinations at once (queued or in flight), lines waiting to be parsed included. */
  maxQueuedSpans: number;
  /** Longest line read, in bytes (default DEFAULT_MAX_LINE_BYTES, the limit of every reader). */
  maxLineBytes?: number;
  /** `now` (default): a line is parsed within `feed`. `soon`: on a later turn, off the caller's call. */
  parse?: 'now' | 'soon';
  /**
   * How long a destination waits for a full batch (`batchSpans`) before it sends what there is;
   * default 0, at once. The timer is unref'd.
   */
  lingerMs?: number;
  /** Each refused line, for a notice (the count is in `stats().rejected`). */
  onRejected?: (reason: string, detail: string | undefined) => void;
  /** Each dropped line, with its spans, for a notice or an outer counter. */
  onDropped?: (reason: ConverterDropReason, spans: number) => void;
}

/** One destination's reading position in the queue and its counters. */
interface Lane {
  readonly destination: SpanDestination;
  readonly batchSpans: number;
  readonly stats: DestinationStats;
  /** Sequence number of the next entry to send, and how many of its spans were sent already. */
  next: number;
  offset: number;
  /** The first entry this lane still needs (not settled): entries before every lane's `holdFrom` leave the queue. */
  holdFrom: number;
  /** Spans queued for it and not yet handed to `send`. */
  unsent: number;
  /** A send is in progress. */
  busy: boolean;
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}

export class SpanConverter {
  private readonly lanes: Lane[];
  private readonly maxQueued: number;
  private readonly maxLineBytes: number;
  private readonly parseSoon: boolean;
  private readonly lingerMs: number;

  /** The queue: one entry per summary line; `entries[i]` has sequence number `base + i - start`. */
  private entries: SpanRecord[][] = [];
  private start = 0;
  private base = 0;
  /** Spans of the entries in the queue. */
  private held = 0;
  /** Lines waiting to be parsed (`parse: 'soon'`). */
  private intake: string[] = [];
  private parseScheduled = false;
  /** Entries below this sequence number are sent whatever the batch size (the linger passed, or a flush). */
  private forceUntil = 0;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  /** Set when shutdown gave up: what is still unsent was counted as `notSent`, late results count nothing. */
  private abandoned = false;
  private shutdownPromise: Promise<ConverterStats> | undefined;

  private lines = 0;
  private summaryLines = 0;
  private spans = 0;
  private readonly rejected: Record<string, number> = {};
  private readonly droppedLines = zeroDrops();
  private readonly droppedSpans = zeroDrops();

  constructor(
    destinations: readonly SpanDestination[],
    private readonly options: SpanConverterOptions,
  ) {
    this.maxQueued = Math.max(1, Math.floor(options.maxQueuedSpans));
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.parseSoon = options.parse === 'soon';
    this.lingerMs = Math.max(0, options.lingerMs ?? 0);
    this.lanes = destinations.map((destination) => ({
      destination,
      batchSpans: Math.max(1, destination.batchSpans ?? Number.POSITIVE_INFINITY),
      stats: { name: destination.name, exported: 0, failed: 0, notSent: 0, pending: 0 },
      next: 0,
      offset: 0,
      holdFrom: 0,
      unsent: 0,
      busy: false,
    }));
  }

  /** One line (or a chunk of lines) of a log. Never throws, never waits. */
  feed(text: string): void {
    try {
      this.lines++;
      if (!text.includes(SUMMARY_MARKER)) return;
      if (this.closed) return this.countLate(text);
      // `length` counts UTF-16 units, never more than the UTF-8 bytes: a line refused here would be
      // refused by the parser too, whose byte check decides the rest.
      if (text.length > this.maxLineBytes) return this.reject('too_large', undefined);
      if (!this.parseSoon) return this.convertText(text);
      if (this.held + this.intake.length >= this.maxQueued) return this.drop('queueFull', 1);
      this.intake.push(text);
      if (!this.parseScheduled) {
        this.parseScheduled = true;
        setImmediate(() => this.drain());
      }
    } catch (error) {
      this.countInternalError(error);
    }
  }

  /** A line refused before it reached `feed` (a reader's `too_large`): counted like one `feed` refuses. */
  feedRefused(reason: string): void {
    this.lines++;
    this.reject(reason, undefined);
  }

  /**
   * Spans built elsewhere (follow's assembler links slices across services, which a single line
   * cannot), one group per send unit, queued under the same bound and counters as `feed`'s: a group
   * that does not fit is dropped and counted (`droppedSpans.queueFull`), after shutdown counted as
   * `afterShutdown` (a dropped group counts as one of `droppedLines`). Lines are not counted here
   * (the caller read them), nor `summaryLines`. Never throws, never waits.
   */
  feedSpans(groups: readonly (readonly SpanRecord[])[]): void {
    try {
      for (const group of groups) {
        if (group.length === 0) continue;
        if (this.closed) this.drop('afterShutdown', group.length);
        else this.enqueue([...group]);
      }
    } catch (error) {
      this.countInternalError(error);
    }
  }

  /** Parses the lines waiting (`parse: 'soon'`) and hands their spans to the destinations now. Never throws. */
  drain(): void {
    this.parseScheduled = false;
    const texts = this.intake;
    this.intake = [];
    for (const text of texts) {
      try {
        this.convertText(text);
      } catch (error) {
        this.countInternalError(error);
      }
    }
    this.forceUntil = this.tail;
    this.pumpAll();
  }

  /** Sends everything queued, whatever the batch size; resolves when it is sent or `timeoutMs` passed. Never rejects. */
  async flush(timeoutMs: number): Promise<'done' | 'timeout'> {
    this.drain();
    if (this.idle()) return 'done';
    return withinTimeout(new Promise<void>((resolve) => this.idleWaiters.push(resolve)), timeoutMs);
  }

  /**
   * Once: stops taking lines, sends what is queued within `timeoutMs`, counts the rest as
   * `notSent`, closes the destinations (within what is left of the bound) and returns the final
   * stats. Never rejects. Synchronous destinations are done before it returns its promise.
   */
  shutdown(timeoutMs: number): Promise<ConverterStats> {
    this.shutdownPromise ??= this.shutdownOnce(timeoutMs);
    return this.shutdownPromise;
  }

  stats(): ConverterStats {
    return {
      lines: this.lines,
      summaryLines: this.summaryLines,
      spans: this.spans,
      rejected: { ...this.rejected },
      droppedLines: { ...this.droppedLines },
      droppedSpans: { ...this.droppedSpans },
      queued: this.held + this.intake.length,
      destinations: this.lanes.map((lane) => ({ ...lane.stats })),
    };
  }

  private async shutdownOnce(timeoutMs: number): Promise<ConverterStats> {
    const deadline = Date.now() + Math.max(0, timeoutMs);
    this.drain();
    this.closed = true;
    if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
    if (!this.idle()) await this.flush(timeoutMs);
    this.abandon();
    const closing = this.lanes.map((lane) =>
      Promise.resolve()
        .then(() => lane.destination.close?.())
        .catch((error: unknown) => globalErrorHandler(error as Error)),
    );
    // Closing writes nothing new (every send is over or given up), so a short floor is enough.
    await withinTimeout(Promise.all(closing), Math.max(deadline - Date.now(), 100));
    return this.stats();
  }

  /** Sequence number one past the newest entry. */
  private get tail(): number {
    return this.base + this.entries.length - this.start;
  }

  private convertText(text: string): void {
    // A chunk may hold several lines; only those with the marker are parsed.
    if (!text.includes('\n')) return this.convertLine(text);
    for (const line of text.split('\n')) if (line.includes(SUMMARY_MARKER)) this.convertLine(line);
  }

  private convertLine(line: string): void {
    const parsed = parseLogLine(line, { maxBytes: this.maxLineBytes });
    if (parsed.kind === 'rejected') return this.reject(parsed.reason, parsed.detail);
    if (parsed.kind !== 'summary') return; // a step-level line or one without trace id that mentions the marker
    const spans = summaryLineToSpans(parsed);
    if (spans.length === 0) return this.reject('no_spans', undefined);
    if (this.enqueue(spans)) this.summaryLines++;
  }

  /** Queues one entry within the bound, or drops and counts it; true when queued. */
  private enqueue(spans: SpanRecord[]): boolean {
    if (this.held + this.intake.length + spans.length > this.maxQueued) {
      this.drop('queueFull', spans.length);
      return false;
    }
    this.entries.push(spans);
    this.held += spans.length;
    this.spans += spans.length;
    for (const lane of this.lanes) {
      lane.unsent += spans.length;
      lane.stats.pending += spans.length;
    }
    if (this.lanes.length === 0) this.release();
    else this.pumpAll();
    return true;
  }

  private reject(reason: string, detail: string | undefined): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    this.options.onRejected?.(reason, detail);
  }

  private drop(reason: ConverterDropReason, spans: number): void {
    this.droppedLines[reason]++;
    this.droppedSpans[reason] += spans;
    this.options.onDropped?.(reason, spans);
  }

  /** After shutdown nothing is sent: a summary line then is lost spans, and counted. */
  private countLate(text: string): void {
    for (const line of text.split('\n')) {
      if (!line.includes(SUMMARY_MARKER)) continue;
      const parsed = parseLogLine(line, { maxBytes: this.maxLineBytes });
      if (parsed.kind === 'summary') this.drop('afterShutdown', summaryLineToSpans(parsed).length);
    }
  }

  private countInternalError(error: unknown): void {
    this.rejected['internal_error'] = (this.rejected['internal_error'] ?? 0) + 1;
    globalErrorHandler(error instanceof Error ? error : new Error(String(error)));
  }

  private pumpAll(): void {
    for (const lane of this.lanes) this.pump(lane);
    this.checkIdle();
  }

  /** Sends the lane's next batches while it is free; waits for a fuller batch while the linger allows. */
  private pump(lane: Lane): void {
    while (!lane.busy && lane.unsent > 0 && !this.abandoned) {
      const forced = this.closed || this.forceUntil > lane.next || this.lingerMs === 0;
      if (!forced && lane.unsent < lane.batchSpans) {
        this.armLinger();
        return;
      }
      const { groups, count } = this.take(lane);
      let result: unknown;
      try {
        result = lane.destination.send(groups);
      } catch (error) {
        this.settle(lane, count, error);
        continue;
      }
      if (!isPromise(result)) {
        this.settle(lane, count, undefined);
        continue;
      }
      lane.busy = true;
      result.then(
        () => this.settleLater(lane, count, undefined),
        (error: unknown) => this.settleLater(lane, count, error ?? new Error('send failed')),
      );
      return;
    }
  }

  /** The lane's next batch: whole lines while they fit, a line longer than the batch in pieces. */
  private take(lane: Lane): { groups: SpanRecord[][]; count: number } {
    const groups: SpanRecord[][] = [];
    let count = 0;
    const tail = this.tail;
    while (lane.next < tail && count < lane.batchSpans) {
      const entry = this.entries[this.start + lane.next - this.base]!;
      const room = lane.batchSpans - count;
      const rest = entry.length - lane.offset;
      if (rest <= room) {
        groups.push(lane.offset === 0 ? entry : entry.slice(lane.offset));
        count += rest;
        lane.next++;
        lane.offset = 0;
      } else {
        groups.push(entry.slice(lane.offset, lane.offset + room));
        count += room;
        lane.offset += room;
      }
    }
    lane.unsent -= count;
    return { groups, count };
  }

  private settle(lane: Lane, count: number, error: unknown): void {
    lane.busy = false;
    if (this.abandoned) return; // counted as notSent when shutdown gave up
    if (error === undefined) lane.stats.exported += count;
    else lane.stats.failed += count;
    lane.stats.pending -= count;
    lane.holdFrom = lane.next;
    this.release();
  }

  private settleLater(lane: Lane, count: number, error: unknown): void {
    try {
      this.settle(lane, count, error);
      this.pump(lane);
      this.checkIdle();
    } catch (failure) {
      globalErrorHandler(failure as Error);
    }
  }

  /** Drops the entries every lane is done with. */
  private release(): void {
    let needed = this.tail;
    for (const lane of this.lanes) if (lane.holdFrom < needed) needed = lane.holdFrom;
    while (this.base < needed) {
      this.held -= this.entries[this.start]!.length;
      this.start++;
      this.base++;
    }
    // Compact now and then, so the array does not grow with every line ever queued.
    if (this.start > 1024 && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  private armLinger(): void {
    if (this.lingerTimer !== undefined) return;
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      this.forceUntil = this.tail;
      this.pumpAll();
    }, this.lingerMs);
    this.lingerTimer.unref();
  }

  private idle(): boolean {
    if (this.abandoned) return true;
    return this.intake.length === 0 && this.lanes.every((lane) => !lane.busy && lane.unsent === 0);
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.idle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Shutdown is over or gave up: whatever is still unsent never will be. */
  private abandon(): void {
    this.abandoned = true;
    const tail = this.tail;
    for (const lane of this.lanes) {
      lane.stats.notSent += lane.stats.pending;
      lane.stats.pending = 0;
      lane.unsent = 0;
      lane.next = tail;
      lane.offset = 0;
      lane.holdFrom = tail;
    }
    this.entries = [];
    this.start = 0;
    this.base = tail;
    this.held = 0;
    this.checkIdle();
  }
}

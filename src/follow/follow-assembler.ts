/**
 * `follow`'s assembler (issue 14): lines arrive one by one from three log groups with seconds of
 * skew between them, and every span must go out once, as the batch backfill would build it from
 * the same lines. The rules are the backfill's own — buildTrace, legacyParents, the step-line
 * events — applied to the lines of a trace present when a slice goes out; what this file decides
 * is only *when* a slice goes out:
 *
 *  - a bridged event's spans at once (they carry their ids and parents: nothing can change them);
 *  - a legacy slice once its causal parent is present (hasCausalParent: the root core slice for an
 *    orchestrator, a successful orchestrator slice that ended before it started for a worker; a
 *    core slice is the root and needs none), else when it has waited `holdMs` since it arrived;
 *  - whatever is still held when its trace closes (`traceWindowMs` with no new line), at the open
 *    trace cap, or at releaseAll — then with every line of the trace (the backfill's own build).
 *
 * Builds before the close leave out the step lines whose own slice has not arrived yet ("pending":
 * no summary event of their component at or after their time is present). A service writes a
 * slice's step lines before its summary event, in its own stream, so a pending line belongs to a
 * slice still to come — counting it now would hand it to the wrong slice.
 *
 * `late` is what makes a later backfill differ: at a trace's close the trace is built once more
 * from all its lines, and every span already released whose content (its OTLP/JSON with its
 * resource) differs from that build counts one; so does every line that arrives for a trace
 * already closed (it is dropped: a second, partial trace would put a second content under ids
 * already sent). Everything depends only on the lines and the clock values given, so the same
 * arrival sequence always releases the same spans (snapshot/restore included).
 */
import { createHash } from 'node:crypto';
import { buildTrace, compareSpans, type BuiltTrace } from '../backfill/assembly/build-trace.js';
import { hasCausalParent, type Slice } from '../backfill/assembly/legacy-links.js';
import { MinHeap } from '../backfill/assembly/min-heap.js';
import type { OpenTrace } from '../backfill/assembly/trace-assembler.js';
import {
  lineParseOptions,
  parseCountedLine,
  type LineParseOptions,
  type LineTally,
} from '../backfill/run/line-parse.js';
import { summarySlice } from '../contract/event-to-spans.js';
import { encodeOtlpJsonLine, fromOtlpRequest } from '../contract/otlp-json.js';
import { parseLogLine, type ParsedStepLine, type ParsedSummary } from '../contract/parse.js';
import type { SpanRecord } from '../contract/span-record.js';
import type {
  FollowAssemblerOptions,
  FollowAssemblyCounters,
  FollowLine,
  FollowWindowSnapshot,
} from './follow-types.js';

/**
 * The default hold, 15 s. A slice's causal parent ends before it does (core before orchestrator,
 * orchestrator before worker), so a parent only arrives after its child by the skew between two
 * log groups' delivery paths, never by a slice's duration: ECS's `awslogs` driver sends a
 * container's lines at least every 5 s (`awslogs-force-flush-interval-seconds`, default 5,
 * https://github.com/moby/moby/blob/master/daemon/logger/awslogs/cloudwatchlogs.go), an event
 * needs a few seconds more to be returned by FilterLogEvents, and follow's own poll of each group
 * adds up to its interval (5 s). 5 + 5 + 5: a parent written just before its child still arrives
 * within the hold; a longer hold only delays the slices whose parent never comes.
 */
export const DEFAULT_FOLLOW_HOLD_MS = 15_000;

/** Remembered after their close (to count late lines), at most this many or maxOpenTraces. */
const MAX_CLOSED_REMEMBERED = 100_000;
/** Clock values beyond ±this (the Date range) are not times: the last good one is used. */
const MAX_TIME_MS = 8.64e15;

/** Thrown by restore for a snapshot that is not one this assembler wrote: one line, no stack needed. */
export class FollowSnapshotError extends Error {
  constructor(message: string) {
    super(`follow window snapshot: ${message}`);
    this.name = 'FollowSnapshotError';
  }
}

interface TraceLine {
  readonly text: string;
  readonly arrivalMs: number;
}

interface FollowTrace {
  readonly key: string;
  /** Every line kept, in arrival order (what a snapshot stores). */
  readonly lines: TraceLine[];
  readonly events: ParsedSummary[];
  readonly logs: ParsedStepLine[];
  lastArrivalMs: number;
  /** Per component, the newest summary event time present ('' = of any component). */
  readonly newestSummaryMs: Map<string, number>;
  /** Legacy slices not yet released: span id → arrival time of its first line. */
  readonly held: Map<string, number>;
  /** Span id → content hash of each span released. */
  readonly released: Map<string, string>;
  /** Bridged spans due at the next release(). */
  outbox: SpanRecord[];
  /** A summary event came since the last look at the held slices. */
  dirty: boolean;
}

interface HoldEntry {
  dueMs: number;
  key: string;
  spanId: string;
}

interface CloseEntry {
  dueMs: number;
  key: string;
}

/** Identity of a span's content: its OTLP/JSON (resource and scope included), hashed. */
function contentHash(span: SpanRecord): string {
  return createHash('sha256')
    .update(encodeOtlpJsonLine([span]))
    .digest('hex')
    .slice(0, 32);
}

/** The counters follow keeps itself (the rest are the parse rule's tally and the window's size). */
interface OwnCounts {
  lines: number;
  spansReleased: number;
  late: number;
  dropped: { openTraceCap: number; traceLineCap: number };
}

function checkOptions(options: FollowAssemblerOptions): void {
  const whole = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
  if (!whole(options.holdMs, 0)) throw new RangeError('holdMs must be a whole number ≥ 0');
  if (!whole(options.traceWindowMs, 1)) throw new RangeError('traceWindowMs must be a whole number ≥ 1');
  if (!whole(options.maxOpenTraces, 1)) throw new RangeError('maxOpenTraces must be a whole number ≥ 1');
  if (!whole(options.maxLinesPerTrace, 1)) throw new RangeError('maxLinesPerTrace must be a whole number ≥ 1');
  if (options.maxLineBytes !== undefined && !whole(options.maxLineBytes, 1))
    throw new RangeError('maxLineBytes must be a whole number ≥ 1');
}

export class FollowAssembler {
  private readonly open = new Map<string, FollowTrace>();
  /** Closed trace ids, oldest first (a Set keeps insertion order). */
  private readonly closed = new Set<string>();
  private readonly closedCap: number;
  private readonly holdHeap = new MinHeap<HoldEntry>(
    (a, b) => a.dueMs < b.dueMs || (a.dueMs === b.dueMs && (a.key < b.key || (a.key === b.key && a.spanId < b.spanId))),
  );
  private readonly closeHeap = new MinHeap<CloseEntry>(
    (a, b) => a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.key < b.key),
  );
  /** Traces with something for the next release() without a clock: bridged spans, new summaries. */
  private readonly touched = new Set<FollowTrace>();
  /** Spans of traces closed early by the open-trace cap, out at the next release(). */
  private forced: SpanRecord[][] = [];
  private readonly count: OwnCounts = {
    lines: 0,
    spansReleased: 0,
    late: 0,
    dropped: { openTraceCap: 0, traceLineCap: 0 },
  };
  /** What the shared parse rule counts (LineTally's names; counters() gives follow's). */
  private readonly tally: LineTally = { rejected: {}, ignoredLines: 0, summaryEvents: 0, stepLogs: 0 };
  private readonly parseOptions: LineParseOptions;
  private heldCount = 0;
  private nowMs = 0;

  constructor(private readonly options: FollowAssemblerOptions) {
    checkOptions(options);
    this.parseOptions = lineParseOptions(options.maxLineBytes);
    this.closedCap = Math.min(options.maxOpenTraces, MAX_CLOSED_REMEMBERED);
  }

  private clock(nowMs: number): number {
    if (typeof nowMs === 'number' && Number.isFinite(nowMs) && Math.abs(nowMs) <= MAX_TIME_MS)
      this.nowMs = Math.floor(nowMs);
    return this.nowMs;
  }

  /** One line from a source at `nowMs`. Never throws: what it cannot use is counted. */
  add(line: FollowLine, nowMs: number): void {
    const now = this.clock(nowMs);
    this.count.lines++;
    try {
      const text = typeof line === 'object' && line !== null ? (line as { text?: unknown }).text : undefined;
      if (typeof text !== 'string') {
        this.tally.rejected['not_text'] = (this.tally.rejected['not_text'] ?? 0) + 1;
        return;
      }
      const parsed = parseCountedLine(text, undefined, this.parseOptions, this.tally);
      if (parsed === undefined) return;
      if (this.closed.has(parsed.traceId)) {
        this.count.late++;
        return;
      }
      let trace = this.open.get(parsed.traceId);
      if (trace === undefined) {
        if (this.open.size >= this.options.maxOpenTraces) this.closeOldest();
        trace = this.openTrace(parsed.traceId, now);
      }
      if (trace.lines.length >= this.options.maxLinesPerTrace) {
        this.count.dropped.traceLineCap++;
        return;
      }
      this.ingest(trace, parsed, text, now);
    } catch {
      // parseLogLine and the mapping never throw; this only keeps a bug from reaching the host.
      this.tally.rejected['internal_error'] = (this.tally.rejected['internal_error'] ?? 0) + 1;
    }
  }

  private openTrace(key: string, now: number): FollowTrace {
    const trace: FollowTrace = {
      key,
      lines: [],
      events: [],
      logs: [],
      lastArrivalMs: now,
      newestSummaryMs: new Map(),
      held: new Map(),
      released: new Map(),
      outbox: [],
      dirty: false,
    };
    this.open.set(key, trace);
    this.closeHeap.push({ dueMs: now + this.options.traceWindowMs, key });
    return trace;
  }

  /** Adds a parsed line to its trace (restore replays a snapshot's lines through it too). */
  private ingest(trace: FollowTrace, parsed: ParsedSummary | ParsedStepLine, text: string, arrivalMs: number): void {
    trace.lines.push({ text, arrivalMs });
    if (arrivalMs > trace.lastArrivalMs) trace.lastArrivalMs = arrivalMs;
    if (parsed.kind === 'log') {
      trace.logs.push(parsed);
      return;
    }
    trace.events.push(parsed);
    for (const component of [parsed.event.component, '']) {
      const newest = trace.newestSummaryMs.get(component);
      if (newest === undefined || parsed.timeMs > newest) trace.newestSummaryMs.set(component, parsed.timeMs);
    }
    const slice = summarySlice(parsed);
    if (slice === undefined) return;
    if (slice.kind === 'bridged') {
      // buildTrace keeps the first event of a span id: the same here (arrival order = event order).
      if (trace.held.has(slice.spans[0]!.spanId)) return;
      for (const span of slice.spans) {
        const id = span.spanId;
        if (trace.released.has(id) || trace.held.has(id) || trace.outbox.some((o) => o.spanId === id)) continue;
        // Restoring, these are the spans of a snapshot taken between add() and release(): out next.
        trace.outbox.push(span);
      }
      if (trace.outbox.length > 0) this.touched.add(trace);
    } else {
      const { spanId } = slice;
      if (trace.held.has(spanId) || trace.released.has(spanId) || trace.outbox.some((s) => s.spanId === spanId)) return;
      trace.held.set(spanId, arrivalMs);
      this.heldCount++;
      this.holdHeap.push({ dueMs: arrivalMs + this.options.holdMs, key: trace.key, spanId });
    }
    if (trace.held.size > 0) {
      trace.dirty = true;
      this.touched.add(trace);
    }
  }

  /** The trace as buildTrace takes it: every line (`final`), or without the pending step lines. */
  private asOpenTrace(trace: FollowTrace, final: boolean): OpenTrace {
    const logs = final
      ? trace.logs
      : trace.logs.filter((l) => {
          const newest = trace.newestSummaryMs.get(l.log.component || '');
          return newest !== undefined && l.timeMs <= newest;
        });
    return { key: trace.key, events: trace.events, logs, lines: trace.lines.length, lastMs: 0, hints: [] };
  }

  private emit(trace: FollowTrace, span: SpanRecord, out: Map<string, SpanRecord[]>): void {
    trace.released.set(span.spanId, contentHash(span));
    this.count.spansReleased++;
    const group = out.get(trace.key);
    if (group) group.push(span);
    else out.set(trace.key, [span]);
  }

  /** Releases the held legacy slices of `trace` that have their causal parent, or whose hold is over. */
  private releaseHeld(trace: FollowTrace, due: ReadonlySet<string> | undefined, out: Map<string, SpanRecord[]>): void {
    trace.dirty = false;
    if (trace.held.size === 0) return;
    const built = buildTrace(this.asOpenTrace(trace, false));
    const byId = new Map<string, Slice>();
    for (const s of built.slices) byId.set(s.spanId, s);
    const spans = new Map<string, SpanRecord>();
    for (const span of built.spans) if (trace.held.has(span.spanId)) spans.set(span.spanId, span);
    for (const spanId of [...trace.held.keys()]) {
      const slice = byId.get(spanId);
      const span = spans.get(spanId);
      if (slice === undefined || span === undefined) continue;
      const parentId = built.parents.get(slice);
      const parent = parentId === undefined ? undefined : byId.get(parentId);
      if (!due?.has(spanId) && !hasCausalParent(slice, parent)) continue;
      trace.held.delete(spanId);
      this.heldCount--;
      this.emit(trace, span, out);
    }
  }

  /** Builds the trace from all its lines, releases what is still unreleased, counts what differs, forgets it. */
  private closeTrace(trace: FollowTrace, out: Map<string, SpanRecord[]>): BuiltTrace {
    const built = buildTrace(this.asOpenTrace(trace, true));
    for (const span of built.spans) {
      const sent = trace.released.get(span.spanId);
      if (sent === undefined) this.emit(trace, span, out);
      else if (sent !== contentHash(span)) this.count.late++;
    }
    this.heldCount -= trace.held.size;
    trace.held.clear();
    trace.outbox = [];
    this.touched.delete(trace);
    this.open.delete(trace.key);
    this.closed.add(trace.key);
    if (this.closed.size > this.closedCap) this.closed.delete(this.closed.values().next().value!);
    return built;
  }

  /** The open trace whose last line arrived first, closed now because one more would pass the cap. */
  private closeOldest(): void {
    const top = this.validCloseTop();
    if (top === undefined) return;
    this.closeHeap.pop();
    const out = new Map<string, SpanRecord[]>();
    this.closeTrace(this.open.get(top.key)!, out);
    this.count.dropped.openTraceCap++;
    for (const group of out.values()) this.forced.push(group);
  }

  /** The close heap's top once stale entries (closed traces, traces with newer lines) are fixed. */
  private validCloseTop(): CloseEntry | undefined {
    for (;;) {
      const top = this.closeHeap.peek();
      if (top === undefined) return undefined;
      const trace = this.open.get(top.key);
      if (trace === undefined) {
        this.closeHeap.pop();
        continue;
      }
      const due = trace.lastArrivalMs + this.options.traceWindowMs;
      if (due !== top.dueMs) {
        this.closeHeap.pop();
        this.closeHeap.push({ dueMs: due, key: top.key });
        continue;
      }
      return top;
    }
  }

  private validHoldTop(): HoldEntry | undefined {
    for (;;) {
      const top = this.holdHeap.peek();
      if (top === undefined) return undefined;
      const arrival = this.open.get(top.key)?.held.get(top.spanId);
      if (arrival === undefined || arrival + this.options.holdMs !== top.dueMs) {
        this.holdHeap.pop();
        continue;
      }
      return top;
    }
  }

  /**
   * The spans due at `nowMs`, one group per trace (groups by trace id, spans in the backfill's
   * order). Cheap when nothing is due: two heap peeks and an empty set.
   */
  release(nowMs: number): SpanRecord[][] {
    const now = this.clock(nowMs);
    const out = new Map<string, SpanRecord[]>();
    const forced = this.forced;
    this.forced = [];
    for (;;) {
      const top = this.validCloseTop();
      if (top === undefined || top.dueMs > now) break;
      this.closeHeap.pop();
      this.closeTrace(this.open.get(top.key)!, out);
    }
    const due = new Map<FollowTrace, Set<string>>();
    for (;;) {
      const top = this.validHoldTop();
      if (top === undefined || top.dueMs > now) break;
      this.holdHeap.pop();
      const trace = this.open.get(top.key)!;
      const ids = due.get(trace);
      if (ids) ids.add(top.spanId);
      else due.set(trace, new Set([top.spanId]));
    }
    const touched = [...this.touched];
    this.touched.clear();
    for (const trace of touched) {
      for (const span of trace.outbox) this.emit(trace, span, out);
      trace.outbox = [];
      if (trace.dirty && !due.has(trace)) this.releaseHeld(trace, undefined, out);
    }
    for (const [trace, ids] of due) this.releaseHeld(trace, ids, out);
    return [...forced, ...this.groups(out)];
  }

  private groups(out: Map<string, SpanRecord[]>): SpanRecord[][] {
    return [...out.keys()].sort().map((key) => out.get(key)!.sort(compareSpans));
  }

  /** When release() next has something: now for bridged spans and new summaries, else the next hold or close. */
  nextDueMs(): number | undefined {
    if (this.forced.length > 0 || this.touched.size > 0) return this.nowMs;
    const hold = this.validHoldTop()?.dueMs;
    const close = this.validCloseTop()?.dueMs;
    if (hold === undefined) return close;
    return close === undefined ? hold : Math.min(hold, close);
  }

  /** Everything held, built from all the lines present (end of input, shutdown without a checkpoint). */
  releaseAll(): SpanRecord[][] {
    const forced = this.forced;
    this.forced = [];
    const out = new Map<string, SpanRecord[]>();
    for (const key of [...this.open.keys()].sort()) this.closeTrace(this.open.get(key)!, out);
    this.touched.clear();
    this.holdHeap.clear();
    this.closeHeap.clear();
    return [...forced, ...this.groups(out)];
  }

  counters(): FollowAssemblyCounters {
    const { count, tally } = this;
    return {
      lines: count.lines,
      summaryLines: tally.summaryEvents,
      stepLines: tally.stepLogs,
      ignoredLines: tally.ignoredLines,
      rejected: { ...tally.rejected },
      spansReleased: count.spansReleased,
      held: this.heldCount,
      late: count.late,
      openTraces: this.open.size,
      dropped: { ...count.dropped },
    };
  }

  /** The open window, JSON-safe: restore(options, snapshot) rebuilds this assembler exactly. */
  snapshot(): FollowWindowSnapshot {
    const counters = this.counters();
    return {
      version: 1,
      nowMs: this.nowMs,
      counters: {
        lines: counters.lines,
        summaryLines: counters.summaryLines,
        stepLines: counters.stepLines,
        ignoredLines: counters.ignoredLines,
        rejected: counters.rejected,
        spansReleased: counters.spansReleased,
        late: counters.late,
        dropped: counters.dropped,
      },
      traces: [...this.open.values()].map((t) => ({
        key: t.key,
        lines: t.lines.map((l) => [l.arrivalMs, l.text]),
        released: [...t.released],
      })),
      // Spans of traces closed by the cap that no release() has handed out yet.
      forced: this.forced.map((group) => group.map((span) => encodeOtlpJsonLine([span]))),
      closed: [...this.closed],
    };
  }

  /** Rebuilds an assembler from snapshot(); a snapshot that is not one throws FollowSnapshotError. */
  static restore(options: FollowAssemblerOptions, snapshot: unknown): FollowAssembler {
    const a = new FollowAssembler(options);
    a.restoreFrom(snapshot);
    return a;
  }

  private restoreFrom(value: unknown): void {
    const { options } = this;
    const s = record(value, 'the snapshot');
    if (s['version'] !== 1) fail('unknown version (expected 1)');
    this.nowMs = time(s['nowMs'], 'nowMs');

    const c = record(s['counters'], 'counters');
    const { count, tally } = this;
    count.lines = whole(c['lines'], 'counters.lines');
    tally.summaryEvents = whole(c['summaryLines'], 'counters.summaryLines');
    tally.stepLogs = whole(c['stepLines'], 'counters.stepLines');
    tally.ignoredLines = whole(c['ignoredLines'], 'counters.ignoredLines');
    count.spansReleased = whole(c['spansReleased'], 'counters.spansReleased');
    count.late = whole(c['late'], 'counters.late');
    const dropped = record(c['dropped'], 'counters.dropped');
    count.dropped.openTraceCap = whole(dropped['openTraceCap'], 'counters.dropped.openTraceCap');
    count.dropped.traceLineCap = whole(dropped['traceLineCap'], 'counters.dropped.traceLineCap');
    const rejected = record(c['rejected'], 'counters.rejected');
    const names = Object.keys(rejected);
    if (names.length > 256) fail('counters.rejected has too many reasons');
    for (const name of names) {
      // The pattern keeps out __proto__, constructor and every other key with a meaning to objects.
      if (!REASON.test(name)) fail('counters.rejected has a key that is not a reason name');
      tally.rejected[name] = whole(rejected[name], `counters.rejected.${name}`);
    }

    for (const key of list(s['closed'], 'closed', this.closedCap)) {
      if (typeof key !== 'string' || !HEX32.test(key)) fail('closed holds something that is not a trace id');
      this.closed.add(key);
    }

    for (const [gi, group] of list(s['forced'], 'forced', options.maxOpenTraces).entries()) {
      const spans: SpanRecord[] = [];
      for (const line of list(group, `forced[${gi}]`, MAX_SPANS_PER_TRACE)) {
        if (typeof line !== 'string') fail(`forced[${gi}] holds something that is not a span`);
        spans.push(...decodeSpans(line, `forced[${gi}]`));
      }
      this.forced.push(spans);
    }

    for (const [ti, entry] of list(s['traces'], 'traces', options.maxOpenTraces).entries()) {
      const t = record(entry, `traces[${ti}]`);
      const key = t['key'];
      if (typeof key !== 'string' || !HEX32.test(key)) fail(`traces[${ti}].key is not a trace id`);
      if (this.open.has(key) || this.closed.has(key)) fail(`traces[${ti}] repeats trace ${key}`);
      const lines = list(t['lines'], `traces[${ti}].lines`, options.maxLinesPerTrace);
      if (lines.length === 0) fail(`traces[${ti}] has no lines`);
      const released = new Map<string, string>();
      for (const [ri, r] of list(t['released'], `traces[${ti}].released`, MAX_SPANS_PER_TRACE).entries()) {
        if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== 'string' || !HEX16.test(r[0]))
          fail(`traces[${ti}].released[${ri}] is not [span id, hash]`);
        if (typeof r[1] !== 'string' || !HEX32.test(r[1])) fail(`traces[${ti}].released[${ri}] has no hash`);
        released.set(r[0], r[1]);
      }
      let trace: FollowTrace | undefined;
      for (const [li, l] of lines.entries()) {
        const where = `traces[${ti}].lines[${li}]`;
        if (!Array.isArray(l) || l.length !== 2 || typeof l[1] !== 'string') fail(`${where} is not [time, text]`);
        const arrivalMs = time(l[0], where);
        const text = l[1];
        const parsed = parseLogLine(text, this.parseOptions);
        if ((parsed.kind !== 'summary' && parsed.kind !== 'log') || parsed.traceId !== key)
          fail(`${where} is not a line of trace ${key}`);
        if (trace === undefined) {
          trace = this.openTrace(key, arrivalMs);
          // Before the lines: ingest must neither hold nor queue what went out before the snapshot.
          for (const [id, hash] of released) trace.released.set(id, hash);
        }
        this.ingest(trace, parsed, text, arrivalMs);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Restore: the snapshot comes from a checkpoint file, i.e. from outside. Every value is checked
// for type and range before use, only known keys are read, and nothing from the file becomes a
// key of an object with a prototype (reason names are checked against a plain pattern first).

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const REASON = /^[a-z][a-z0-9_]{0,63}$/;
/** A bound on the spans one trace's snapshot entry may list (a trace's lines are capped; each gives a few spans). */
const MAX_SPANS_PER_TRACE = 1_000_000;

function fail(message: string): never {
  throw new FollowSnapshotError(message);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(value)) fail(`${what} is not a list`);
  if (value.length > max) fail(`${what} has more than ${max} entries`);
  return value;
}

function whole(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(`${what} is not a count`);
  return value;
}

function time(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) > MAX_TIME_MS)
    fail(`${what} is not a time`);
  return value;
}

function decodeSpans(line: string, where: string): SpanRecord[] {
  try {
    return fromOtlpRequest(line);
  } catch {
    fail(`${where} holds a span that does not decode`);
  }
}

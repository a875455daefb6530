/**
 * Test-only stand-ins for the two parts of `follow` built elsewhere (follow-assembler.ts and
 * sources/), so the runner can be tested on its own: a source over an array that the test feeds,
 * and a deliberately trivial assembler on the backfill's own buildTrace — a trace goes out whole
 * once no line came for `holdMs`. They keep the seams' contracts (follow-types.ts): synchronous
 * delivery, positions that cover exactly the lines delivered, snapshot/restore of the window.
 * Never shipped.
 */
import { buildTrace } from '../../../src/backfill/assembly/build-trace.js';
import type { OpenTrace } from '../../../src/backfill/assembly/trace-assembler.js';
import { parseLogLine } from '../../../src/contract/parse.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import type { FollowAssemblerPort } from '../../../src/follow/run-follow.js';
import type {
  FollowAssemblyCounters,
  FollowLine,
  FollowSource,
  FollowSourceStatus,
  FollowWindowSnapshot,
  SourcePosition,
} from '../../../src/follow/follow-types.js';

/** A source over lines the test pushes; position = how many were delivered. */
export class ArraySource implements FollowSource {
  readonly ended: Promise<void>;
  private endIt!: () => void;
  private deliver: ((lines: readonly FollowLine[]) => void) | undefined;
  private delivered = 0;
  private backlog: string[] = [];
  stopped = false;

  constructor(
    readonly id: string,
    /** Every line this source will ever have; `push(n)` makes the next n readable. */
    private readonly all: readonly string[] = [],
  ) {
    this.ended = new Promise((resolve) => (this.endIt = resolve));
  }

  start(deliver: (lines: readonly FollowLine[]) => void, position?: SourcePosition): void {
    this.deliver = deliver;
    this.delivered = typeof position?.['delivered'] === 'number' ? position['delivered'] : 0;
    this.flushBacklog();
  }

  /** Makes the next `n` lines of `all` readable (delivered at once when started). */
  push(n: number): void {
    this.backlog.push(
      ...this.all.slice(this.delivered + this.backlog.length, this.delivered + this.backlog.length + n),
    );
    this.flushBacklog();
  }

  /** Delivers free-form lines (not in `all`). */
  pushText(lines: string[]): void {
    this.backlog.push(...lines);
    this.flushBacklog();
  }

  end(): void {
    this.endIt();
  }

  position(): SourcePosition {
    return { delivered: this.delivered };
  }

  status(): FollowSourceStatus {
    return { id: this.id, state: 'reading', lines: this.delivered, retries: 0, readErrors: 0, lagMs: 0 };
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.deliver = undefined;
    return Promise.resolve();
  }

  private flushBacklog(): void {
    if (!this.deliver || this.backlog.length === 0) return;
    const batch = this.backlog.map((text) => ({ text }));
    this.backlog = [];
    this.delivered += batch.length;
    this.deliver(batch);
  }
}

interface StandInTrace {
  texts: string[];
  lastMs: number;
}

/** A trace leaves whole, built by buildTrace, once `holdMs` passed without a new line. */
export class TrivialAssembler implements FollowAssemblerPort {
  private traces = new Map<string, StandInTrace>();
  private closed = new Set<string>();
  private released = 0;
  private lines = 0;
  private late = 0;

  constructor(private readonly holdMs: number) {}

  static restore(holdMs: number, snapshot: FollowWindowSnapshot): TrivialAssembler {
    const a = new TrivialAssembler(holdMs);
    for (const [key, t] of snapshot['open'] as [string, StandInTrace][]) a.traces.set(key, { ...t });
    for (const key of snapshot['closed'] as string[]) a.closed.add(key);
    return a;
  }

  add(line: FollowLine, nowMs: number): void {
    this.lines++;
    const parsed = parseLogLine(line.text);
    if (parsed.kind !== 'summary' && parsed.kind !== 'log') return;
    if (this.closed.has(parsed.traceId)) {
      this.late++;
      return;
    }
    const trace = this.traces.get(parsed.traceId) ?? { texts: [], lastMs: nowMs };
    trace.texts.push(line.text);
    trace.lastMs = nowMs;
    this.traces.set(parsed.traceId, trace);
  }

  release(nowMs: number): SpanRecord[][] {
    const out: SpanRecord[][] = [];
    for (const [key, trace] of this.traces) if (trace.lastMs + this.holdMs <= nowMs) out.push(this.close(key, trace));
    return out;
  }

  nextDueMs(): number | undefined {
    let due: number | undefined;
    for (const t of this.traces.values())
      due = due === undefined ? t.lastMs + this.holdMs : Math.min(due, t.lastMs + this.holdMs);
    return due;
  }

  releaseAll(): SpanRecord[][] {
    return [...this.traces].map(([key, trace]) => this.close(key, trace));
  }

  counters(): FollowAssemblyCounters {
    return {
      lines: this.lines,
      summaryLines: 0,
      stepLines: 0,
      ignoredLines: 0,
      rejected: {},
      spansReleased: this.released,
      held: this.traces.size,
      late: this.late,
      openTraces: this.traces.size,
      dropped: { openTraceCap: 0, traceLineCap: 0 },
    };
  }

  snapshot(): FollowWindowSnapshot {
    return {
      version: 1,
      open: [...this.traces].map(([k, t]) => [k, { ...t, texts: [...t.texts] }]),
      closed: [...this.closed],
    };
  }

  private close(key: string, trace: StandInTrace): SpanRecord[] {
    this.traces.delete(key);
    this.closed.add(key);
    const spans = buildTrace(openTrace(key, trace.texts)).spans;
    this.released += spans.length;
    return spans;
  }
}

/** The backfill's OpenTrace of `texts` (one trace's lines). */
export function openTrace(key: string, texts: readonly string[]): OpenTrace {
  const trace: OpenTrace = { key, events: [], logs: [], lines: 0, lastMs: 0, hints: [] };
  for (const text of texts) {
    const parsed = parseLogLine(text);
    if (parsed.kind === 'summary') trace.events.push(parsed);
    else if (parsed.kind === 'log') trace.logs.push(parsed);
    else continue;
    trace.lines++;
  }
  return trace;
}

/** The batch result: every trace of `texts` built by buildTrace, spans keyed by span id. */
export function batchSpans(texts: readonly string[]): Map<string, SpanRecord> {
  const byTrace = new Map<string, string[]>();
  for (const text of texts) {
    const parsed = parseLogLine(text);
    if (parsed.kind !== 'summary' && parsed.kind !== 'log') continue;
    const list = byTrace.get(parsed.traceId) ?? [];
    list.push(text);
    byTrace.set(parsed.traceId, list);
  }
  const out = new Map<string, SpanRecord>();
  for (const [key, list] of byTrace)
    for (const span of buildTrace(openTrace(key, list)).spans) out.set(span.spanId, span);
  return out;
}

/**
 * Groups summary events and step-level lines by trace id and hands a trace over once the input is
 * safely past it: when its newest line is older than the watermark minus the trace window. Memory
 * therefore holds only the traces of the last window, however long the range; a per-trace line cap
 * and a cap on open traces bound it against hostile or unusual input (both counted).
 */
import type { ParsedStepLine, ParsedSummary } from '../../contract/parsed-line.js';
import type { ResumeHint } from '../source-types.js';
import { MinHeap } from './min-heap.js';

export interface OpenTrace {
  /** OTel trace id (32 hex). */
  key: string;
  /** The trace's summary lines and step lines, as parseLogLine gave them. */
  events: ParsedSummary[];
  logs: ParsedStepLine[];
  lines: number;
  lastMs: number;
  /** Per source index: where to reopen that source to read this trace's lines again. */
  hints: (ResumeHint | undefined)[];
}

export interface AssemblerOptions {
  traceWindowMs: number;
  maxLinesPerTrace: number;
  maxOpenTraces: number;
}

interface HeapEntry {
  lastMs: number;
  key: string;
}

export type AddResult = 'added' | 'trace_line_cap';

export class TraceAssembler {
  private readonly open = new Map<string, OpenTrace>();
  private readonly heap = new MinHeap<HeapEntry>(
    (a, b) => a.lastMs < b.lastMs || (a.lastMs === b.lastMs && a.key < b.key),
  );
  /** Traces handed over before their window closed because too many were open. */
  forcedEmits = 0;

  constructor(private readonly options: AssemblerOptions) {}

  get openCount(): number {
    return this.open.size;
  }

  /** Adds a parsed line to its trace (the value carries the trace id and time it is grouped by). */
  add(parsed: ParsedSummary | ParsedStepLine, sourceIndex: number, hint: ResumeHint): AddResult {
    const trace = this.slot(parsed.traceId, parsed.timeMs, sourceIndex, hint);
    if (trace === undefined) return 'trace_line_cap';
    if (parsed.kind === 'summary') trace.events.push(parsed);
    else trace.logs.push(parsed);
    return 'added';
  }

  /** The open trace that takes one more line (counted, times and hints updated), or undefined at the cap. */
  private slot(key: string, timeMs: number, sourceIndex: number, hint: ResumeHint): OpenTrace | undefined {
    let trace = this.open.get(key);
    if (!trace) {
      trace = { key, events: [], logs: [], lines: 0, lastMs: timeMs, hints: [] };
      this.open.set(key, trace);
      this.heap.push({ lastMs: timeMs, key });
    }
    if (trace.lines >= this.options.maxLinesPerTrace) return undefined;
    trace.lines++;
    if (timeMs > trace.lastMs) trace.lastMs = timeMs;
    const known = trace.hints[sourceIndex];
    if (!known || hint.ordinal < known.ordinal) trace.hints[sourceIndex] = hint;
    return trace;
  }

  /**
   * Removes and returns the traces whose newest line is at least one trace window older than
   * `watermarkMs`, oldest first (ties by trace id: the order never depends on arrival order), and
   * the oldest traces beyond the open-trace cap.
   */
  takeDue(watermarkMs: number): OpenTrace[] {
    const out: OpenTrace[] = [];
    // Infinity − Infinity is NaN: the end of input (and an endless window) is handled explicitly.
    const horizon = watermarkMs === Number.POSITIVE_INFINITY ? watermarkMs : watermarkMs - this.options.traceWindowMs;
    for (;;) {
      const top = this.heap.peek();
      if (!top) break;
      const trace = this.open.get(top.key)!;
      if (trace.lastMs !== top.lastMs) {
        // Lines arrived since the entry was pushed: re-queue at the newer time (lazy update).
        this.heap.pop();
        this.heap.push({ lastMs: trace.lastMs, key: trace.key });
        continue;
      }
      const overCap = this.open.size > this.options.maxOpenTraces;
      if (!(trace.lastMs <= horizon) && !overCap) break;
      if (!(trace.lastMs <= horizon)) this.forcedEmits++;
      this.heap.pop();
      this.open.delete(trace.key);
      out.push(trace);
    }
    return out;
  }

  /** Everything still open, in the same order as takeDue (end of input). */
  takeAll(): OpenTrace[] {
    return this.takeDue(Number.POSITIVE_INFINITY);
  }

  /** The earliest hint any open trace needs for a source (checkpoint resume point). */
  earliestHint(sourceIndex: number): ResumeHint | undefined {
    let best: ResumeHint | undefined;
    for (const trace of this.open.values()) {
      const h = trace.hints[sourceIndex];
      if (h && (!best || h.ordinal < best.ordinal)) best = h;
    }
    return best;
  }

  /** Open trace ids with, per source, the first ordinal each still needs (checkpoint). */
  openTraces(): [string, (number | null)[]][] {
    return [...this.open.values()].map((t) => [t.key, Array.from(t.hints, (h) => (h ? h.ordinal : null))]);
  }
}

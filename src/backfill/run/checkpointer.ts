/**
 * When and what the run checkpoints (checkpoint.ts has the format and the durable write): after
 * every `everyTraces` traces written, or a second after the last save, once the sink has flushed.
 * Each source resumes at the earliest line a trace still open (in the assembler, or taken from it
 * but not yet written) needs, or where it was last read.
 */
import type { OpenTrace, TraceAssembler } from '../assembly/trace-assembler.js';
import { CHECKPOINT_VERSION, saveCheckpoint, type CheckpointState } from '../checkpoint.js';
import type { BackfillCounters } from '../report.js';
import type { SpanSink } from '../sinks/span-sink.js';
import type { SourceState } from './source-set.js';

/** What a checkpoint is taken from. */
export interface RunState {
  states: readonly SourceState[];
  assembler: TraceAssembler;
  sink: SpanSink;
  counters: BackfillCounters;
  unwritten: () => readonly OpenTrace[];
  /** Brings counters the parts keep elsewhere (the assembler's forced emits) into `counters`. */
  syncCounters: () => void;
}

export interface CheckpointerOptions {
  path: string;
  fingerprint: string;
  meta: unknown;
  everyTraces: number;
}

function hintOrdinals(trace: OpenTrace): (number | null)[] {
  return Array.from(trace.hints, (h) => (h ? h.ordinal : null));
}

export class Checkpointer {
  private tracesSince = 0;
  private lastAt = Date.now();

  constructor(
    private readonly options: CheckpointerOptions,
    private readonly run: RunState,
  ) {}

  /** Counts one written trace and saves when one is due. */
  async traceWritten(): Promise<void> {
    this.tracesSince++;
    if (this.tracesSince >= this.options.everyTraces || Date.now() - this.lastAt >= 1000) await this.save(false);
  }

  async save(done: boolean): Promise<void> {
    const { states, assembler, sink, counters } = this.run;
    const flushed = await sink.flush();
    this.run.syncCounters();
    const unwritten = this.run.unwritten();
    const state: CheckpointState = {
      version: CHECKPOINT_VERSION,
      fingerprint: this.options.fingerprint,
      done,
      sources: states.map((s, i) => {
        let needed = assembler.earliestHint(i);
        for (const t of unwritten) {
          const h = t.hints[i];
          if (h && (!needed || h.ordinal < needed.ordinal)) needed = h;
        }
        const resume = needed && (!s.lastHint || needed.ordinal < s.lastHint.ordinal) ? needed : s.lastHint;
        return { id: s.id, resume: resume ?? null, readOrdinal: s.readOrdinal };
      }),
      // Traces taken from the assembler but not yet written count as open: a resume rebuilds them.
      openTraces: [
        ...assembler.openTraces(),
        ...unwritten.map((t): [string, (number | null)[]] => [t.key, hintOrdinals(t)]),
      ],
      outputBytes: flushed.outputBytes ?? null,
      spansWritten: sink.spansWritten,
      counters,
      meta: this.options.meta,
      updatedAt: new Date().toISOString(),
    };
    await saveCheckpoint(this.options.path, state);
    this.tracesSince = 0;
    this.lastAt = Date.now();
  }
}

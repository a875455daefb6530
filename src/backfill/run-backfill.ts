/**
 * The backfill loop: read batches from the sources (merged by time, run/source-set.ts), parse each
 * line once and group lines by trace (run/line-intake.ts), hand over traces whose window has
 * passed and write their spans (run/trace-writer.ts), checkpoint (run/checkpointer.ts).
 *
 * A trace is complete once its newest line is a whole trace window older than the run's
 * watermark, the smallest source watermark.
 */
import type { BuiltTrace } from './assembly/build-trace.js';
import { TraceAssembler, type OpenTrace } from './assembly/trace-assembler.js';
import { loadCheckpoint } from './checkpoint.js';
import { countersFromJson, finishReport, newCounters, type BackfillCounters, type BackfillReport } from './report.js';
import { Checkpointer } from './run/checkpointer.js';
import { LineIntake } from './run/line-intake.js';
import { closeSources, furthestBehind, openSources, runWatermark, type SourceState } from './run/source-set.js';
import { TraceWriter } from './run/trace-writer.js';
import type { SpanSink } from './sinks/span-sink.js';
import { SourceUserError, type SourceFactory } from './source-types.js';

export const DEFAULT_TRACE_WINDOW_MS = 30 * 60_000;
export const DEFAULT_MAX_LINES_PER_TRACE = 10_000;
export const DEFAULT_MAX_OPEN_TRACES = 200_000;

export interface BackfillRunOptions {
  sources: { id: string; open: SourceFactory }[];
  /** Opens the sink; `resume` is set when continuing from a checkpoint. */
  openSink: (resume?: { bytes: number; spans: number }) => Promise<SpanSink>;
  outputName: string | null;
  checkpointPath?: string;
  /** Everything that must match for a checkpoint to be resumable (inputs, output, options). */
  fingerprint: string;
  /** Saved in the checkpoint as is (see peekCheckpointMeta). */
  checkpointMeta?: unknown;
  dryRun?: boolean;
  traceWindowMs?: number;
  maxLinesPerTrace?: number;
  maxOpenTraces?: number;
  maxLineBytes?: number;
  /** Checkpoint after this many traces (also at most once a second otherwise). */
  checkpointEveryTraces?: number;
  /** Only lines of this trace (32 hex) are assembled: the `trace` command. */
  onlyTraceId?: string;
  /** Receives each built trace (the `trace` command prints it). */
  onTrace?: (trace: BuiltTrace, source: OpenTrace) => void;
  onProgress?: (counters: BackfillCounters, spansWritten: number) => void;
  /** Counters the sources add to (retries, missing log groups) are shared through this object. */
  counters?: BackfillCounters;
}

export async function runBackfill(options: BackfillRunOptions): Promise<BackfillReport> {
  const started = Date.now();
  const checkpoint = options.checkpointPath
    ? await loadCheckpoint(options.checkpointPath, options.fingerprint)
    : undefined;
  const counters = options.counters ?? newCounters();
  if (checkpoint) Object.assign(counters, countersFromJson(checkpoint.counters));
  const reportOf = (spansWritten: number, resumed: boolean, sink?: SpanSink): BackfillReport =>
    finishReport(counters, {
      spansWritten,
      durationMs: Date.now() - started,
      dryRun: options.dryRun === true,
      resumed,
      sources: options.sources.map((s) => s.id),
      output: options.outputName,
      destinations: sink?.destinations?.() ?? [],
    });
  if (checkpoint?.done) return reportOf(checkpoint.spansWritten, true);
  if (checkpoint && checkpoint.sources.length !== options.sources.length) {
    throw new SourceUserError(`checkpoint ${options.checkpointPath} lists other sources; delete it to start over`);
  }

  const assembler = new TraceAssembler({
    traceWindowMs: options.traceWindowMs ?? DEFAULT_TRACE_WINDOW_MS,
    maxLinesPerTrace: options.maxLinesPerTrace ?? DEFAULT_MAX_LINES_PER_TRACE,
    maxOpenTraces: options.maxOpenTraces ?? DEFAULT_MAX_OPEN_TRACES,
  });
  const intake = new LineIntake(assembler, counters, {
    maxLineBytes: options.maxLineBytes,
    onlyTraceId: options.onlyTraceId,
    openAtCheckpoint: new Map(checkpoint?.openTraces ?? []),
  });
  const states: SourceState[] = [];
  let sink: SpanSink | undefined;
  try {
    await openSources(options.sources, checkpoint, options.checkpointPath, states);
    sink = await options.openSink(
      checkpoint ? { bytes: checkpoint.outputBytes ?? 0, spans: checkpoint.spansWritten } : undefined,
    );
    const activeSink = sink;
    // The assembler counts forced emits of this run; the counters hold the earlier runs' too.
    const forcedBefore = counters.forcedEmits;
    const syncCounters = (): void => {
      counters.forcedEmits = forcedBefore + assembler.forcedEmits;
    };
    const writer = new TraceWriter(activeSink, counters, { onTrace: options.onTrace });
    const checkpointer = options.checkpointPath
      ? new Checkpointer(
          {
            path: options.checkpointPath,
            fingerprint: options.fingerprint,
            meta: options.checkpointMeta,
            everyTraces: options.checkpointEveryTraces ?? 5000,
          },
          { states, assembler, sink: activeSink, counters, unwritten: () => writer.unwritten(), syncCounters },
        )
      : undefined;
    const afterTrace = checkpointer ? () => checkpointer.traceWritten() : async () => undefined;

    for (;;) {
      const pick = furthestBehind(states);
      if (pick === -1) break;
      const state = states[pick]!;
      const batch = await state.source.next();
      if (!batch) state.done = true;
      else intake.take(pick, state, batch);
      const watermark = runWatermark(states);
      if (watermark === Number.POSITIVE_INFINITY) break;
      const due = assembler.takeDue(watermark);
      if (due.length > 0) await writer.write(due, afterTrace);
      // A finished fetch window is a checkpoint: a resumed run re-reads at most that window.
      if (batch?.windowEnd && checkpointer) await checkpointer.save(false);
      options.onProgress?.(counters, activeSink.spansWritten);
    }
    await writer.write(assembler.takeAll(), afterTrace);
    syncCounters();
    await activeSink.flush();
    if (checkpointer) await checkpointer.save(true);
    options.onProgress?.(counters, activeSink.spansWritten);
    return reportOf(activeSink.spansWritten, checkpoint !== undefined, activeSink);
  } finally {
    await closeSources(states);
    await sink?.close().catch(() => undefined);
  }
}

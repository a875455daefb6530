/**
 * The backfill loop: read batches from the sources (merged by time), parse each line once,
 * group lines by trace, hand over traces whose window has passed, write their spans, checkpoint.
 *
 * Sources are read round the one that is furthest behind (smallest watermark), so several files or
 * log groups advance together and a trace's lines from the three services meet in memory while its
 * window is open. The watermark of the run is the smallest source watermark: a trace is complete
 * once its newest line is a whole trace window older than that.
 */
import { parseLogLine } from '../contract/parse.js';
import type { SpanRecord } from '../contract/span-record.js';
import { buildTrace, type BuiltTrace } from './assembly/build-trace.js';
import { TraceAssembler, type OpenTrace } from './assembly/trace-assembler.js';
import { loadCheckpoint, saveCheckpoint, CHECKPOINT_VERSION, type CheckpointState } from './checkpoint.js';
import { countersFromJson, countInto, finishReport, newCounters, type BackfillCounters, type BackfillReport } from './report.js';
import type { SpanSink } from './sinks/span-sink.js';
import { filterForXray } from './sinks/xray-limits.js';
import { SourceUserError, type LogSource, type ResumeHint, type SourceBatch, type SourceFactory } from './source-types.js';

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
  xray?: boolean;
  /** Checkpoint after this many traces (also at most once a second otherwise). */
  checkpointEveryTraces?: number;
  /** Only lines of this trace (32 hex) are assembled: the `trace` command. */
  onlyTraceId?: string;
  /** Receives each built trace (the `trace` command prints it). */
  onTrace?: (trace: BuiltTrace, source: OpenTrace) => void;
  onProgress?: (counters: BackfillCounters, spansWritten: number) => void;
  /** Counters the sources add to (retries, missing log groups) are shared through this object. */
  counters?: BackfillCounters;
  now?: () => number;
}

interface SourceState {
  id: string;
  source: LogSource;
  done: boolean;
  watermarkMs: number;
  /** Next ordinal to read. */
  readOrdinal: number;
  /** Lines below this ordinal were counted by an earlier run: replayed for open traces only. */
  replayUntil: number;
  lastHint: ResumeHint | undefined;
}

export async function runBackfill(options: BackfillRunOptions): Promise<BackfillReport> {
  const started = Date.now();
  const now = options.now ?? Date.now;
  const checkpoint = options.checkpointPath ? await loadCheckpoint(options.checkpointPath, options.fingerprint) : undefined;
  const counters = options.counters ?? newCounters();
  if (checkpoint) Object.assign(counters, countersFromJson(checkpoint.counters));
  const reportOf = (spansWritten: number, resumed: boolean): BackfillReport =>
    finishReport(counters, {
      spansWritten,
      durationMs: Date.now() - started,
      dryRun: options.dryRun === true,
      resumed,
      sources: options.sources.map((s) => s.id),
      output: options.outputName,
    });
  if (checkpoint?.done) return reportOf(checkpoint.spansWritten, true);
  if (checkpoint && checkpoint.sources.length !== options.sources.length) {
    throw new SourceUserError(`checkpoint ${options.checkpointPath} lists other sources; delete it to start over`);
  }

  const traceWindowMs = options.traceWindowMs ?? DEFAULT_TRACE_WINDOW_MS;
  const assembler = new TraceAssembler({
    traceWindowMs,
    maxLinesPerTrace: options.maxLinesPerTrace ?? DEFAULT_MAX_LINES_PER_TRACE,
    maxOpenTraces: options.maxOpenTraces ?? DEFAULT_MAX_OPEN_TRACES,
  });
  const openAtCheckpoint = new Map<string, (number | null)[]>(checkpoint?.openTraces ?? []);
  const states: SourceState[] = [];
  let sink: SpanSink | undefined;
  try {
    for (const [i, spec] of options.sources.entries()) {
      const saved = checkpoint?.sources[i];
      const source = await spec.open(saved?.resume ?? undefined);
      if (options.checkpointPath && !source.resumable) throw new SourceUserError(`--checkpoint cannot be used with ${source.id} (it cannot be read twice)`);
      states.push({ id: spec.id, source, done: false, watermarkMs: Number.NEGATIVE_INFINITY, readOrdinal: saved?.readOrdinal ?? 0, replayUntil: saved?.readOrdinal ?? 0, lastHint: saved?.resume ?? undefined });
    }
    sink = await options.openSink(checkpoint ? { bytes: checkpoint.outputBytes ?? 0, spans: checkpoint.spansWritten } : undefined);
    const activeSink = sink;
    const forcedBefore = counters.forcedEmits;
    let tracesSinceCheckpoint = 0;
    let lastCheckpointAt = Date.now();
    const everyTraces = options.checkpointEveryTraces ?? 5000;

    const writeCheckpoint = async (done: boolean): Promise<void> => {
      if (!options.checkpointPath) return;
      const flushed = await activeSink.flush();
      counters.forcedEmits = forcedBefore + assembler.forcedEmits;
      const state: CheckpointState = {
        version: CHECKPOINT_VERSION,
        fingerprint: options.fingerprint,
        done,
        sources: states.map((s, i) => {
          let needed = assembler.earliestHint(i);
          for (const t of pending.slice(pendingFrom)) {
            const h = t.hints[i];
            if (h && (!needed || h.ordinal < needed.ordinal)) needed = h;
          }
          const resume = needed && (!s.lastHint || needed.ordinal < s.lastHint.ordinal) ? needed : s.lastHint;
          return { id: s.id, resume: resume ?? null, readOrdinal: s.readOrdinal };
        }),
        // Traces taken from the assembler but not yet written count as open: a resume rebuilds them.
        openTraces: [...assembler.openTraces(), ...pending.slice(pendingFrom).map((t): [string, (number | null)[]] => [t.key, Array.from(t.hints, (h) => (h ? h.ordinal : null))])],
        outputBytes: flushed.outputBytes ?? null,
        spansWritten: activeSink.spansWritten,
        counters,
        meta: options.checkpointMeta,
        updatedAt: new Date().toISOString(),
      };
      await saveCheckpoint(options.checkpointPath, state);
      tracesSinceCheckpoint = 0;
      lastCheckpointAt = Date.now();
    };

    /** Traces handed over by the assembler and not yet written (see writeCheckpoint). */
    let pending: OpenTrace[] = [];
    let pendingFrom = 0;
    const emit = async (traces: OpenTrace[]): Promise<void> => {
      pending = traces;
      pendingFrom = 0;
      for (let i = 0; i < traces.length; i++) {
        const trace = traces[i]!;
        const built = buildTrace(trace);
        counters.traces++;
        counters.duplicateEvents += built.duplicateEvents;
        counters.duplicateStepLogs += built.duplicateStepLogs;
        counters.unattachedStepLogs += built.unattachedStepLogs;
        if (built.unmappedEvents > 0) countInto(counters.rejected, 'unmappable_event', built.unmappedEvents);
        counters.spansBuilt += built.spans.length;
        options.onTrace?.(built, trace);
        let spans: SpanRecord[] = built.spans;
        if (options.xray) spans = filterForXray(spans, now(), counters.notSent);
        if (!options.dryRun && spans.length > 0) await activeSink.write(spans);
        tracesSinceCheckpoint++;
        pendingFrom = i + 1;
        if (options.checkpointPath && (tracesSinceCheckpoint >= everyTraces || Date.now() - lastCheckpointAt >= 1000)) await writeCheckpoint(false);
      }
      pending = [];
      pendingFrom = 0;
    };

    const parseOptions = options.maxLineBytes === undefined ? undefined : { maxBytes: options.maxLineBytes };
    const processBatch = (si: number, state: SourceState, batch: SourceBatch): void => {
      let ordinal = batch.firstOrdinal;
      let newest = state.watermarkMs;
      for (const record of batch.records) {
        const replay = ordinal < state.replayUntil;
        const o = ordinal++;
        if (!replay) counters.linesRead++;
        if (record.text === undefined) {
          if (!replay) countInto(counters.rejected, record.readError ?? 'unreadable');
          continue;
        }
        const parsed = parseLogLine(record.text, parseOptions);
        if (parsed.kind === 'rejected') {
          if (!replay) countInto(counters.rejected, parsed.reason);
          continue;
        }
        if (parsed.kind === 'ignored') {
          if (!replay) counters.ignoredLines++;
          continue;
        }
        // parseLogLine has mapped and checked the trace id (an unmappable one is rejected there).
        const traceId = parsed.traceId;
        if (!replay) {
          if (parsed.kind === 'summary') counters.summaryEvents++;
          else counters.stepLogs++;
        }
        const timeMs = parsed.timeMs;
        if (timeMs > newest) newest = timeMs;
        if (options.onlyTraceId !== undefined && traceId !== options.onlyTraceId) continue;
        if (replay) {
          // Replayed lines rebuild traces that were open at the checkpoint, and nothing else.
          const needed = openAtCheckpoint.get(traceId);
          const from = needed?.[si];
          if (needed === undefined || from === undefined || from === null || o < from) continue;
        }
        const added = assembler.add(parsed, si, batch.resume);
        if (added !== 'added' && !replay) countInto(counters.rejected, added);
      }
      if (assembler.openCount > counters.peakOpenTraces) counters.peakOpenTraces = assembler.openCount;
      state.readOrdinal = Math.max(state.readOrdinal, ordinal);
      state.lastHint = batch.resume;
      state.watermarkMs = batch.watermarkMs !== undefined ? Math.max(state.watermarkMs, batch.watermarkMs) : newest;
    };

    for (;;) {
      let pick = -1;
      for (let i = 0; i < states.length; i++) {
        const s = states[i]!;
        if (!s.done && (pick === -1 || s.watermarkMs < states[pick]!.watermarkMs)) pick = i;
      }
      if (pick === -1) break;
      const state = states[pick]!;
      const batch = await state.source.next();
      if (!batch) {
        state.done = true;
      } else {
        processBatch(pick, state, batch);
      }
      let watermark = Number.POSITIVE_INFINITY;
      for (const s of states) if (!s.done && s.watermarkMs < watermark) watermark = s.watermarkMs;
      if (watermark === Number.POSITIVE_INFINITY) break;
      const due = assembler.takeDue(watermark);
      if (due.length > 0) await emit(due);
      options.onProgress?.(counters, activeSink.spansWritten);
    }
    await emit(assembler.takeAll());
    counters.forcedEmits = forcedBefore + assembler.forcedEmits;
    await activeSink.flush();
    if (options.checkpointPath) await writeCheckpoint(true);
    options.onProgress?.(counters, activeSink.spansWritten);
    return reportOf(activeSink.spansWritten, checkpoint !== undefined);
  } finally {
    for (const s of states) await s.source.close().catch(() => undefined);
    await sink?.close().catch(() => undefined);
  }
}

/**
 * One batch of a source → the assembler: each line parsed once (parseLogLine), counted, and its
 * value handed to the assembler under the trace id and time it carries. Lines an earlier run has
 * already counted (below the checkpoint's read ordinal) are replayed only to rebuild the traces
 * that were open at the checkpoint.
 */
import type { TraceAssembler } from '../assembly/trace-assembler.js';
import { countInto, type BackfillCounters } from '../report.js';
import type { SourceBatch } from '../source-types.js';
import { lineParseOptions, parseCountedLine, type LineParseOptions } from './line-parse.js';
import type { SourceState } from './source-set.js';

export interface LineIntakeOptions {
  maxLineBytes?: number | undefined;
  /** Only lines of this trace (32 hex) are assembled: the `trace` command. */
  onlyTraceId?: string | undefined;
  /** Open traces of the checkpoint resumed from: per source, the first ordinal each needs. */
  openAtCheckpoint: ReadonlyMap<string, readonly (number | null)[]>;
}

export class LineIntake {
  private readonly parseOptions: LineParseOptions;

  constructor(
    private readonly assembler: TraceAssembler,
    private readonly counters: BackfillCounters,
    private readonly options: LineIntakeOptions,
  ) {
    this.parseOptions = lineParseOptions(options.maxLineBytes);
  }

  /** Takes one batch of source `si`, and moves that source's read position and watermark on. */
  take(si: number, state: SourceState, batch: SourceBatch): void {
    const { assembler, counters } = this;
    const { onlyTraceId, openAtCheckpoint } = this.options;
    let ordinal = batch.firstOrdinal;
    let newest = state.watermarkMs;
    for (const record of batch.records) {
      const replay = ordinal < state.replayUntil;
      const o = ordinal++;
      if (!replay) counters.linesRead++;
      const parsed = parseCountedLine(record.text, record.readError, this.parseOptions, replay ? undefined : counters);
      if (parsed === undefined) continue;
      // parseLogLine has mapped and checked the trace id (an unmappable one is rejected there).
      if (parsed.timeMs > newest) newest = parsed.timeMs;
      if (onlyTraceId !== undefined && parsed.traceId !== onlyTraceId) continue;
      if (replay) {
        // Replayed lines rebuild traces that were open at the checkpoint, and nothing else.
        const needed = openAtCheckpoint.get(parsed.traceId);
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
  }
}

/**
 * Traces handed over by the assembler → spans in the sink: each trace built (buildTrace), counted,
 * shown to the caller (`trace` prints it), written (a dry run's sink writes nothing; an X-Ray
 * destination's sink leaves out what X-Ray refuses, sinks/xray-filter-sink.ts). Between traces
 * the checkpointer may save; the traces of the batch not yet written then count as open.
 */
import { buildTrace, type BuiltTrace } from '../assembly/build-trace.js';
import type { OpenTrace } from '../assembly/trace-assembler.js';
import { countInto, type BackfillCounters } from '../report.js';
import type { SpanSink } from '../sinks/span-sink.js';

export interface TraceWriterOptions {
  onTrace?: ((trace: BuiltTrace, source: OpenTrace) => void) | undefined;
}

export class TraceWriter {
  /** The batch being written and the index of its first trace not yet written. */
  private batch: readonly OpenTrace[] = [];
  private next = 0;

  constructor(
    private readonly sink: SpanSink,
    private readonly counters: BackfillCounters,
    private readonly options: TraceWriterOptions,
  ) {}

  /** Traces taken from the assembler but not yet written (a checkpoint counts them as open). */
  unwritten(): readonly OpenTrace[] {
    return this.batch.slice(this.next);
  }

  /** Writes `traces` in order; `afterTrace` runs after each one (the checkpointer's chance to save). */
  async write(traces: readonly OpenTrace[], afterTrace: () => Promise<void>): Promise<void> {
    this.batch = traces;
    this.next = 0;
    const { counters, options } = this;
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
      if (built.spans.length > 0) await this.sink.write(built.spans);
      this.next = i + 1;
      await afterTrace();
    }
    this.batch = [];
    this.next = 0;
  }
}

/**
 * Summary lines in → their spans exported → flushed: the one thing the Lambda handler needs from
 * a converter, behind the narrowest interface that says it (LineExporter). It is the streaming
 * converter `live` uses (sdk/converter), one per invocation: the invocation's deadline is the
 * converter's shutdown bound, so what is not exported by then is counted, never carried into an
 * execution environment that may be frozen or ended after the handler returns.
 */
import { httpDestination } from '../backfill/sinks/converter-destinations.js';
import type { OtlpHttpSinkOptions } from '../backfill/sinks/otlp-http-sink.js';
import { DEFAULT_MAX_LINE_BYTES } from '../contract/limits.js';
import { SpanConverter } from '../sdk/converter/span-converter.js';

export interface LineBatchResult {
  /** Lines fed since the last flush. */
  lines: number;
  summaryEvents: number;
  spansExported: number;
  spansFailed: number;
  /** Lines that were not valid summary events or step lines, by the parser's reason. */
  rejected: Record<string, number>;
}

export interface LineExporter {
  /** One log line (a CloudWatch event's message). Never throws. */
  feed(line: string): void;
  /** Exports what was fed, within `timeoutMs`; what is not exported by then counts as failed. Never throws. */
  flush(timeoutMs: number): Promise<LineBatchResult>;
}

/** Spans held for export within one invocation; a subscription batch is at most 1 MB of log events. */
const MAX_QUEUED_SPANS = 100_000;

export class ConverterLineExporter implements LineExporter {
  private converter: SpanConverter | undefined;

  /** `http` undefined: nowhere to export (every span counts as failed). */
  constructor(private readonly http: Omit<OtlpHttpSinkOptions, 'batchSpans' | 'signal'> | undefined) {}

  feed(line: string): void {
    this.converter ??= new SpanConverter(this.http ? [httpDestination(this.http)] : [], {
      maxQueuedSpans: MAX_QUEUED_SPANS,
      maxLineBytes: DEFAULT_MAX_LINE_BYTES,
    });
    this.converter.feed(line);
  }

  async flush(timeoutMs: number): Promise<LineBatchResult> {
    const converter = this.converter;
    this.converter = undefined;
    if (!converter)
      return {
        lines: 0,
        summaryEvents: 0,
        spansExported: 0,
        spansFailed: 0,
        rejected: Object.create(null) as Record<string, number>,
      };
    const stats = await converter.shutdown(timeoutMs);
    const exported = stats.destinations[0]?.exported ?? 0;
    const dropped = stats.droppedSpans.queueFull + stats.droppedSpans.afterShutdown;
    const rejected = Object.create(null) as Record<string, number>;
    for (const [reason, n] of Object.entries(stats.rejected)) rejected[reason] = n;
    return {
      lines: stats.lines,
      summaryEvents: stats.summaryLines,
      spansExported: exported,
      // Failed, not sent by the deadline, or dropped at the bound: every span not exported.
      spansFailed: stats.spans - exported + dropped,
      rejected,
    };
  }
}

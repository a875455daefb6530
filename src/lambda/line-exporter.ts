/**
 * Summary lines in → their spans exported → flushed: the one thing the Lambda handler needs from
 * a converter, behind the narrowest interface that says it (LineExporter). Today it is built from
 * the same pieces as `alakai-otel live` — parseLogLine, summaryLineToSpans, the OTLP/HTTP sink —
 * with its own small counters; the shared streaming converter replaces this file's class when it
 * lands, behind the same interface.
 */
import { summaryLineToSpans } from '../contract/event-to-spans.js';
import { parseLogLine } from '../contract/parse.js';
import type { SpanRecord } from '../contract/span-record.js';
import type { SpanSink } from '../backfill/sinks/span-sink.js';

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

/** Spans of one OTLP request: small enough for any collector's default limits, few requests a batch. */
const BATCH_SPANS = 256;

export class SinkLineExporter implements LineExporter {
  private spans: SpanRecord[] = [];
  private result = SinkLineExporter.empty();

  constructor(private readonly sink: SpanSink | undefined) {}

  private static empty(): LineBatchResult {
    return {
      lines: 0,
      summaryEvents: 0,
      spansExported: 0,
      spansFailed: 0,
      rejected: Object.create(null) as Record<string, number>,
    };
  }

  feed(line: string): void {
    this.result.lines++;
    // Blank lines carry nothing: not records for the file sources either (line-splitter.ts).
    if (line.trim().length === 0) return;
    const parsed = parseLogLine(line);
    if (parsed.kind === 'rejected') {
      this.result.rejected[parsed.reason] = (this.result.rejected[parsed.reason] ?? 0) + 1;
      return;
    }
    if (parsed.kind !== 'summary') return;
    this.result.summaryEvents++;
    for (const span of summaryLineToSpans(parsed)) this.spans.push(span);
  }

  async flush(timeoutMs: number): Promise<LineBatchResult> {
    const spans = this.spans;
    const result = this.result;
    this.spans = [];
    this.result = SinkLineExporter.empty();
    const sink = this.sink;
    if (!sink) {
      result.spansFailed = spans.length;
      return result;
    }
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < spans.length; i += BATCH_SPANS) {
      const batch = spans.slice(i, i + BATCH_SPANS);
      const left = deadline - Date.now();
      if (left <= 0) {
        result.spansFailed += spans.length - i;
        break;
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          (async () => {
            await sink.write(batch);
            await sink.flush();
          })(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('deadline')), left);
          }),
        ]);
        result.spansExported += batch.length;
      } catch {
        result.spansFailed += batch.length;
      } finally {
        clearTimeout(timer);
      }
    }
    return result;
  }
}

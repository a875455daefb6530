/**
 * A SpanExporter that appends one OTLP/JSON export request per `export` call as one line: the
 * Collector file exporter's format (https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/exporter/fileexporter),
 * so `spans.otlp.jsonl` can be replayed into a Collector or compared with the backfill's output.
 * Writes are asynchronous and chained, so lines never interleave and shutdown waits for them.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { appendFile } from 'node:fs/promises';
import { encodeOtlpJsonLine } from '../contract/otlp-json.js';
import { toSpanRecord } from './readable-span.js';

export class OtlpJsonFileExporter implements SpanExporter {
  private pending: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly path: string) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.stopped) {
      done({ code: ExportResultCode.FAILED, error: new Error('OtlpJsonFileExporter is shut down') });
      return;
    }
    let line: string;
    try {
      line = encodeOtlpJsonLine(spans.map(toSpanRecord)) + '\n';
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
      return;
    }
    this.pending = this.pending.then(() =>
      appendFile(this.path, line).then(
        () => done({ code: ExportResultCode.SUCCESS }),
        (error: Error) => done({ code: ExportResultCode.FAILED, error }),
      ),
    );
  }

  forceFlush(): Promise<void> {
    return this.pending;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.pending;
  }
}

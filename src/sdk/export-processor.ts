/**
 * The export path: the SDK's BatchSpanProcessor, composed (not forked) with a counting exporter
 * wrapper so drops and failures are known. The BSP queue holds at most `maxQueueSize` spans
 * (default 2048) and silently discards beyond it; we keep the same bound in front of it, so every
 * discarded span is counted. The BSP runs one timer-driven export at a time and the OTLP exporter
 * bounds its own concurrency, retries and timeout, so a collector that is down or hangs costs a
 * bounded queue and nothing else.
 */
import { type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan, type Span, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TraceFlags } from '@opentelemetry/api';
import { sanitizedForExport } from './sanitized-span.js';
import type { StatsCounter } from './stats.js';

export interface ExportQueueOptions {
  maxQueueSize?: number;
  maxExportBatchSize?: number;
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
}

const DEFAULT_MAX_QUEUE = 2048;

class CountingExporter implements SpanExporter {
  /** Spans the batch processor has handed to `export` (they left its queue). */
  taken = 0;
  /** Spans whose export finished, delivered or failed. */
  settled = 0;
  /** Set when shutdown gave up on the pending spans and counted them: later results count nothing. */
  abandoned = false;

  constructor(private readonly inner: SpanExporter, private readonly stats: StatsCounter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.taken += spans.length;
    let settled = false;
    const finish = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      this.settled += spans.length;
      if (result.code !== ExportResultCode.SUCCESS && !this.abandoned) {
        this.stats.exportFailures++;
        this.stats.countDropped(spans.length, `export failed: ${result.error?.message ?? 'unknown error'}`);
      }
      done(result);
    };
    try {
      this.inner.export(spans.map(sanitizedForExport), finish);
    } catch (error) {
      finish({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve();
  }
}

export class CountingBatchProcessor implements SpanProcessor {
  private readonly batch: BatchSpanProcessor;
  private readonly exporter: CountingExporter;
  private readonly maxQueueSize: number;
  private handed = 0;

  constructor(exporter: SpanExporter, private readonly stats: StatsCounter, options: ExportQueueOptions = {}) {
    this.exporter = new CountingExporter(exporter, stats);
    this.maxQueueSize = options.maxQueueSize ?? DEFAULT_MAX_QUEUE;
    this.batch = new BatchSpanProcessor(this.exporter, { ...options, maxQueueSize: this.maxQueueSize });
  }

  onStart(span: Span, parentContext: Context): void {
    this.batch.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    // Unsampled spans (recorded only for the summary line) are not exported; the BSP skips them too.
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.enqueue(span);
  }

  /** Queues a span that did not come from a live tracer (zero-code mode). */
  enqueue(span: ReadableSpan): void {
    if (this.handed - this.exporter.taken >= this.maxQueueSize) {
      this.stats.countDropped(1, 'export queue full: the collector is slow or unreachable');
      return;
    }
    this.handed++;
    this.batch.onEnd(span);
  }

  /** Spans queued or being exported: neither delivered nor counted as dropped yet. */
  get pending(): number {
    return this.handed - this.exporter.settled;
  }

  /**
   * Shutdown is over (or gave up waiting): spans still pending will never be delivered, so they
   * are counted as dropped now, once. Without this, a shutdown that hits its time bound loses the
   * queue silently (found by test/unit/reliability/collector-faults.test.ts).
   */
  abandonPending(): void {
    if (this.exporter.abandoned) return;
    this.exporter.abandoned = true;
    this.stats.countDropped(this.pending, 'shutdown ended before the collector took them');
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.batch.shutdown();
  }
}

/**
 * The export path: the SDK's BatchSpanProcessor, composed (not forked) with a counting exporter
 * wrapper so drops and failures are known. The BSP queue holds at most `maxQueueSize` spans
 * (default 2048, OTEL_BSP_MAX_QUEUE_SIZE) and silently discards beyond it; we keep the same bound
 * in front of it, so every discarded span is counted. The BSP runs one timer-driven export at a
 * time and the OTLP exporter bounds its own concurrency, retries and timeout, so a collector that
 * is down or hangs costs a bounded queue and nothing else.
 *
 * Every span handed to this path ends in exactly one of: delivered, or counted in
 * `stats().spansDropped` with its reason (queue full, export failed, not sent before shutdown or
 * exit gave up, ended after shutdown, process exited) — see `pending` and `close`.
 */
import { type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { TraceFlags } from '@opentelemetry/api';
import { sanitizeText } from '../contract/sanitize.js';
import { resolveExportQueue, type ExportQueueOptions } from './export-queue-config.js';
import { sanitizedForExport } from './sanitized-span.js';
import type { DropReason, StatsCounter } from './stats.js';

export type { ExportQueueOptions } from './export-queue-config.js';

/** Error text in a notice: credentials redacted, one short line. */
function errorText(error: Error | undefined): string {
  return sanitizeText(error?.message || error?.name || 'unknown error', 200);
}

class CountingExporter implements SpanExporter {
  /** Spans the batch processor has handed to `export` (they left its queue). */
  taken = 0;
  /** Spans whose export finished, delivered or failed. */
  settled = 0;
  /** Set when the path was closed (shutdown over or gave up, process exiting) and its pending spans counted: later results count nothing. */
  abandoned = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly stats: StatsCounter,
    private readonly destination: string,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.taken += spans.length;
    let settled = false;
    const finish = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      this.settled += spans.length;
      if (result.code !== ExportResultCode.SUCCESS && !this.abandoned) {
        this.stats.exportFailures++;
        this.stats.countDropped(
          spans.length,
          'exportFailed',
          `cannot export to ${this.destination}: ${errorText(result.error)}`,
        );
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
  /** The settings in effect (options, then OTEL_BSP_*, then the defaults). */
  readonly queue: Readonly<Required<ExportQueueOptions>>;
  private handed = 0;

  /**
   * @param destination where the spans go, for messages (e.g. the OTLP endpoint; never credentials)
   */
  constructor(
    exporter: SpanExporter,
    private readonly stats: StatsCounter,
    options: ExportQueueOptions = {},
    destination = exporter.constructor?.name || 'the exporter',
  ) {
    this.exporter = new CountingExporter(exporter, stats, destination);
    this.queue = resolveExportQueue(options);
    // A fresh object: the BatchSpanProcessor fills in what is missing from OTEL_BSP_* by writing
    // into the config it is given.
    this.batch = new BatchSpanProcessor(this.exporter, { ...this.queue });
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
    if (this.exporter.abandoned) {
      // The BatchSpanProcessor ignores spans after its shutdown without a word.
      this.stats.countDropped(1, 'afterShutdown', 'spans that end after tracing.shutdown() are not exported');
      return;
    }
    if (this.handed - this.exporter.taken >= this.queue.maxQueueSize) {
      this.stats.countDropped(
        1,
        'queueFull',
        `export queue full at ${this.queue.maxQueueSize} spans: the collector is slow or unreachable`,
      );
      return;
    }
    this.handed++;
    this.batch.onEnd(span);
  }

  /** Spans queued or being exported: neither delivered nor counted as dropped yet. */
  get pending(): number {
    return this.exporter.abandoned ? 0 : this.handed - this.exporter.settled;
  }

  /** Spans ever handed to the queue (a natural exit flushes again only when this grew). */
  get queued(): number {
    return this.handed;
  }

  /** True once `close` ran: the path exports nothing more. */
  get closed(): boolean {
    return this.exporter.abandoned;
  }

  /**
   * Nothing more will be sent (shutdown is over or gave up waiting, or the process is exiting):
   * the spans still pending will never be delivered, so they are counted as dropped now, once,
   * and spans that end later are counted as they come. Without this, a shutdown that hits its time
   * bound loses the queue silently (found by test/unit/reliability/collector-faults.test.ts).
   * A late export result of a span counted here counts nothing more.
   */
  close(reason: DropReason, message: (pending: number) => string): void {
    if (this.exporter.abandoned) return;
    const pending = this.pending;
    this.exporter.abandoned = true;
    this.stats.countDropped(pending, reason, message(pending));
  }

  /** Shutdown is over (or gave up waiting): see `close`. */
  abandonPending(timeoutMs?: number): void {
    this.close(
      'notSentInTime',
      (n) =>
        `shutdown ended${timeoutMs === undefined ? '' : ` (bound ${timeoutMs} ms)`} before ${n} spans reached the collector`,
    );
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.batch.shutdown();
  }
}

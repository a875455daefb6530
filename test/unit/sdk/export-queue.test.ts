/** OTEL_BSP_* reach the export queue, and the counting bound is the very cap the queue uses. */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CountingBatchProcessor } from '../../../src/sdk/export-processor.js';
import { resolveExportQueue } from '../../../src/sdk/export-queue-config.js';
import { StatsCounter } from '../../../src/sdk/stats.js';

/** Takes spans and never answers, like a collector that hangs: nothing leaves the queue. */
class HeldExporter implements SpanExporter {
  readonly held: ReadableSpan[][] = [];
  private readonly callbacks: Array<(r: ExportResult) => void> = [];
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.held.push(spans);
    this.callbacks.push(done);
  }
  release(): void {
    for (const done of this.callbacks.splice(0)) done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function endSpans(processor: CountingBatchProcessor, n: number): void {
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('test');
  for (let i = 0; i < n; i++) tracer.startSpan(`s${i}`).end();
}

describe('export queue settings', () => {
  it("the defaults are the BatchSpanProcessor's", () => {
    expect(resolveExportQueue({}, {})).toEqual({
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
      scheduledDelayMillis: 5000,
      exportTimeoutMillis: 30000,
    });
  });

  it('OTEL_BSP_* are read; options win over them', () => {
    const env = {
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
      OTEL_BSP_SCHEDULE_DELAY: '0',
      OTEL_BSP_EXPORT_TIMEOUT: '700',
    };
    expect(resolveExportQueue({}, env)).toEqual({
      maxQueueSize: 100,
      maxExportBatchSize: 10,
      scheduledDelayMillis: 0,
      exportTimeoutMillis: 700,
    });
    expect(resolveExportQueue({ maxQueueSize: 50, exportTimeoutMillis: 9 }, env)).toEqual({
      maxQueueSize: 50,
      maxExportBatchSize: 10,
      scheduledDelayMillis: 0,
      exportTimeoutMillis: 9,
    });
  });

  it('a batch larger than the queue is capped at the queue', () => {
    expect(resolveExportQueue({}, { OTEL_BSP_MAX_QUEUE_SIZE: '8' }).maxExportBatchSize).toBe(8);
  });

  it('a value a queue cannot use is said once and the default used', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(resolveExportQueue({}, { OTEL_BSP_SCHEDULE_DELAY: '5s', OTEL_BSP_MAX_QUEUE_SIZE: '0' })).toMatchObject({
      scheduledDelayMillis: 5000,
      maxQueueSize: 2048,
    });
    resolveExportQueue({}, { OTEL_BSP_SCHEDULE_DELAY: '5s' });
    expect(write.mock.calls.map((c) => String(c[0]))).toEqual([
      'alakai-otel: OTEL_BSP_MAX_QUEUE_SIZE="0" is not an integer >= 1; using 2048\n',
      'alakai-otel: OTEL_BSP_SCHEDULE_DELAY="5s" is not an integer >= 0; using 5000\n',
    ]);
  });
});

describe('OTEL_BSP_MAX_QUEUE_SIZE caps the queue of a CountingBatchProcessor', () => {
  it('with the variable at 5: a held export of 5 plus 5 queued, the other 10 spans dropped and counted', async () => {
    vi.stubEnv('OTEL_BSP_MAX_QUEUE_SIZE', '5');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stats = new StatsCounter();
    const exporter = new HeldExporter();
    const processor = new CountingBatchProcessor(exporter, stats);
    expect(processor.queue.maxQueueSize).toBe(5);
    endSpans(processor, 20);
    expect(exporter.held.map((b) => b.length)).toEqual([5]);
    expect(stats.snapshot()).toMatchObject({ spansDropped: 10, droppedBy: { queueFull: 10 } });
    expect(processor.pending).toBe(10);
    exporter.release();
    const flushed = processor.forceFlush();
    await new Promise((r) => setImmediate(r));
    exporter.release();
    await flushed;
    expect(exporter.held.flat()).toHaveLength(10);
    expect(processor.pending).toBe(0);
  });

  it('without it: the default 2048 holds all 20', () => {
    const stats = new StatsCounter();
    const exporter = new HeldExporter();
    const processor = new CountingBatchProcessor(exporter, stats, { scheduledDelayMillis: 60_000 });
    endSpans(processor, 20);
    expect(stats.snapshot().spansDropped).toBe(0);
    expect(processor.pending).toBe(20);
  });
});

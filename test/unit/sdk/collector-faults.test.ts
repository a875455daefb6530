import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type CollectorFault, type OtlpReceiver } from '../../support/fake-otlp-receiver.js';
import { sdkFixture, type SdkFixture } from './sdk-fixture.js';

const SLICES = 1000;

let collector: OtlpReceiver | undefined;
let fixture: SdkFixture | undefined;
afterEach(async () => {
  await fixture?.tracing.shutdown();
  await collector?.close();
  fixture = undefined;
  collector = undefined;
});

async function withCollector(fault: CollectorFault, maxQueueSize: number): Promise<SdkFixture> {
  // Retry-After 0: the 429 test is about the retry, not about waiting for it.
  collector = await startOtlpReceiver(fault, { retryAfterSeconds: 0 });
  fixture = sdkFixture({
    exporter: new OTLPTraceExporter({ url: collector.url, timeoutMillis: 1000 }),
    exportQueue: { maxQueueSize, maxExportBatchSize: 50, scheduledDelayMillis: 20, exportTimeoutMillis: 2000 },
    shutdownTimeoutMs: 3000,
  });
  return fixture;
}

/** A burst of slices, 50 at a time, each with one step (2 spans per slice). */
async function burst(f: SdkFixture, slices: number): Promise<void> {
  for (let done = 0; done < slices; done += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, slices - done) }, () =>
        f.tracing.runSlice({ event: 'slack.implementation', steps: ['work'] }, (slice) =>
          slice.step('work', () => new Promise((r) => setImmediate(r))),
        ),
      ),
    );
  }
}

/** The service keeps answering its own HTTP requests while the collector misbehaves. */
async function serviceAnswers(): Promise<boolean> {
  const server = createServer((_req, res) => res.end('pong'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return (await res.text()) === 'pong';
  } finally {
    server.close();
  }
}

describe('a collector that is down, hangs or fails never blocks or crashes the service', () => {
  for (const fault of ['refuse', 'hang', 'http500'] as const) {
    it(`${fault}: every summary line is written, drops are counted, shutdown returns`, async () => {
      const f = await withCollector(fault, 100);
      await burst(f, SLICES);
      expect(await serviceAnswers()).toBe(true);
      expect(f.summaryLines()).toHaveLength(SLICES);
      await f.tracing.shutdown();
      const stats = f.tracing.stats();
      expect(stats.slicesLogged).toBe(SLICES);
      // 2 000 spans against a queue of 100 and a collector that takes none: most are dropped, all counted.
      expect(stats.spansDropped).toBeGreaterThan(SLICES);
      expect(stats.spansDropped).toBeLessThanOrEqual(2 * SLICES);
      expect(collector!.acceptedSpans()).toHaveLength(0);
      if (fault !== 'hang') expect(stats.exportFailures).toBeGreaterThan(0);
    });
  }

  it('429 with Retry-After: the exporter retries and every span is delivered once the collector accepts', async () => {
    const f = await withCollector('http429', 4096);
    await burst(f, 500);
    await f.tracing.shutdown();
    expect(f.summaryLines()).toHaveLength(500);
    expect(f.tracing.stats()).toMatchObject({ slicesLogged: 500, spansDropped: 0, exportFailures: 0 });
    expect(collector!.acceptedSpans()).toHaveLength(1000);
    expect(collector!.requests()).toBeGreaterThan(1000 / 50);
  });

  it('a healthy collector receives every span', async () => {
    const f = await withCollector('ok', 4096);
    await burst(f, 200);
    await f.tracing.shutdown();
    expect(collector!.acceptedSpans()).toHaveLength(400);
    expect(f.tracing.stats().spansDropped).toBe(0);
  });
});

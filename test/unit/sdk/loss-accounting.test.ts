/**
 * `stats()` counts every span that was meant for export and did not reach a collector, whatever
 * the reason, exactly once: delivered + spansDropped = spans ended (sampled).
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../../../src/sdk/setup.js';
import { DROP_REASONS } from '../../../src/sdk/stats.js';
import { sdkFixture } from './sdk-fixture.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/**
 * The shutdown bound, the batch delay and the export timeout are timers: fake them, so a test says
 * when the bound ends the wait instead of sleeping through it. Only the timer functions: promises,
 * setImmediate and the clock stay real.
 */
function fakeTimers(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
}

/** Starts shutdown() and reports whether it has returned. */
function shutdownOf(f: ReturnType<typeof sdkFixture>): { done: Promise<void>; returned: () => boolean } {
  let returned = false;
  const done = f.tracing.shutdown().then(() => {
    returned = true;
  });
  return { done, returned: () => returned };
}

/** Answers each export as told: 'ok', 'fail', or 'hold' (never). */
class ScriptedExporter implements SpanExporter {
  delivered = 0;
  constructor(private readonly answer: () => 'ok' | 'fail' | 'hold') {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const answer = this.answer();
    if (answer === 'hold') return;
    if (answer === 'ok') this.delivered += spans.length;
    done(
      answer === 'ok'
        ? { code: ExportResultCode.SUCCESS }
        : { code: ExportResultCode.FAILED, error: new Error('collector said no') },
    );
  }
  async shutdown(): Promise<void> {}
}

async function slices(f: ReturnType<typeof sdkFixture>, n: number): Promise<void> {
  for (let i = 0; i < n; i++)
    await f.tracing.runSlice({ event: 'coding.prompt', steps: ['run'] }, (slice) => slice.step('run', () => i));
}

function quiet(): void {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
}

describe('every span not exported is counted, with its reason', () => {
  it('export failed', async () => {
    quiet();
    const exporter = new ScriptedExporter(() => 'fail');
    const f = sdkFixture({ exporter, shutdownTimeoutMs: 1000 });
    await slices(f, 3);
    await f.tracing.shutdown();
    expect(f.tracing.stats()).toMatchObject({ spansDropped: 6, exportFailures: 1, droppedBy: { exportFailed: 6 } });
  });

  it('queue full', async () => {
    quiet();
    fakeTimers();
    const exporter = new ScriptedExporter(() => 'hold');
    const f = sdkFixture({
      exporter,
      shutdownTimeoutMs: 200,
      exportQueue: { maxQueueSize: 4, scheduledDelayMillis: 60_000 },
    });
    await slices(f, 5); // 10 spans: a batch of 4 is held by the exporter, 4 wait, 2 find no room
    expect(f.tracing.stats()).toMatchObject({ spansDropped: 2, droppedBy: { queueFull: 2 } });
    const shutdown = shutdownOf(f);
    await vi.advanceTimersByTimeAsync(200);
    await shutdown.done;
    expect(f.tracing.stats()).toMatchObject({ spansDropped: 10, droppedBy: { queueFull: 2, notSentInTime: 8 } });
  });

  it('not sent before the shutdown bound: shutdown() waits for the exporter until the bound, not longer', async () => {
    quiet();
    fakeTimers();
    const exporter = new ScriptedExporter(() => 'hold');
    const f = sdkFixture({ exporter, shutdownTimeoutMs: 200 });
    await slices(f, 2);
    const shutdown = shutdownOf(f);
    await vi.advanceTimersByTimeAsync(199);
    expect(shutdown.returned()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await shutdown.done;
    expect(f.tracing.stats()).toMatchObject({ spansDropped: 4, droppedBy: { notSentInTime: 4 } });
  });

  it(`without shutdownTimeoutMs the bound is the default, ${DEFAULT_SHUTDOWN_TIMEOUT_MS} ms`, async () => {
    quiet();
    fakeTimers();
    const exporter = new ScriptedExporter(() => 'hold');
    const f = sdkFixture({ exporter });
    await slices(f, 1);
    const shutdown = shutdownOf(f);
    await vi.advanceTimersByTimeAsync(DEFAULT_SHUTDOWN_TIMEOUT_MS - 1);
    expect(shutdown.returned()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await shutdown.done;
    expect(f.tracing.stats()).toMatchObject({ spansDropped: 2, droppedBy: { notSentInTime: 2 } });
  });

  it('ended after shutdown (the batch processor ignores them without a word)', async () => {
    quiet();
    const exporter = new ScriptedExporter(() => 'ok');
    const f = sdkFixture({ exporter });
    await slices(f, 1);
    await f.tracing.shutdown();
    await slices(f, 2);
    expect(exporter.delivered).toBe(2);
    expect(f.tracing.stats()).toMatchObject({ spansDropped: 4, droppedBy: { afterShutdown: 4 } });
  });

  it('a mix: delivered + dropped = ended, and spansDropped is the sum of droppedBy', async () => {
    quiet();
    fakeTimers();
    let n = 0;
    const exporter = new ScriptedExporter(() => (['ok', 'fail', 'hold'] as const)[n++ % 3]!);
    const f = sdkFixture({
      exporter,
      shutdownTimeoutMs: 300,
      exportQueue: { maxQueueSize: 6, maxExportBatchSize: 2, scheduledDelayMillis: 1 },
    });
    for (let round = 0; round < 10; round++) {
      await slices(f, 4);
      await vi.advanceTimersByTimeAsync(5); // the 1 ms batch delay runs between rounds
    }
    const shutdown = shutdownOf(f);
    await vi.advanceTimersByTimeAsync(300);
    await shutdown.done;
    await slices(f, 1);
    const s = f.tracing.stats();
    expect(exporter.delivered + s.spansDropped).toBe(2 * 41);
    expect(DROP_REASONS.reduce((sum, reason) => sum + s.droppedBy[reason], 0)).toBe(s.spansDropped);
    expect(s.droppedBy.exportFailed).toBeGreaterThan(0);
    expect(s.droppedBy.afterShutdown).toBe(2);
  });
});

describe("a component outside the guide's three", () => {
  it('setupAlakaiTracing throws a TypeError that names it', () => {
    expect(() => sdkFixture({}, 'wroker')).toThrow(
      new TypeError('alakai-otel: setupAlakaiTracing: component "wroker" is not one of core, orchestrator, worker'),
    );
    expect(() => sdkFixture({ component: '' })).toThrow(TypeError);
  });
});

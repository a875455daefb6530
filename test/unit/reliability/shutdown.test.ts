/**
 * SIGTERM mid-burst against a collector that hangs, with real child processes, the real OTLP/HTTP
 * exporter and the default (asynchronous) pino logger. test/unit/sdk/sigterm.test.ts covers the
 * signal plumbing with a file exporter; here the point is the time bound: the collector never
 * answers, so only `shutdownTimeoutMs` ends the flush, and no summary line may be lost meanwhile.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runBurstChild, type BurstConfig } from './burst-child.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/fake-otlp-receiver.js';
import { recordFigures } from './figures.js';

/**
 * ECS sends SIGKILL this long after SIGTERM unless the task definition's stopTimeout says otherwise.
 * The exit-time checks below are about real child processes on a shared machine, so they use this
 * generous bound (20 × the 1.5 s flush bound) rather than fake timers; that the flush bound itself
 * ended the wait is shown by the diag line, and the in-process bound is timed exactly with fake
 * timers in test/unit/sdk/loss-accounting.test.ts.
 */
const ECS_STOP_TIMEOUT_MS = 30_000;
const BOUND_MS = 1500;

let collector: OtlpReceiver | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

async function signalMidBurst(config: Omit<BurstConfig, 'url' | 'mode'>, signals: NodeJS.Signals[]) {
  collector = await startOtlpReceiver('hang');
  return runBurstChild(
    // The exporter's own timeout is far beyond the bound: only the bound can end the flush.
    {
      mode: 'until-signal',
      url: collector.url,
      exporterTimeoutMs: 60_000,
      exportTimeoutMs: 60_000,
      concurrency: 50,
      readyAfter: 500,
      ...config,
    },
    {
      onLine(line, child) {
        if (line === 'READY') signals.forEach((signal, i) => setTimeout(() => child.kill(signal), i * 300));
      },
    },
  );
}

describe('SIGTERM mid-burst with a collector that never answers (child processes)', () => {
  it('service with its own handler: exits within the configured bound, every slice that ended has its line, every span counted', async () => {
    const result = await signalMidBurst({ ownHandler: true, shutdownTimeoutMs: BOUND_MS }, ['SIGTERM']);
    expect(result.code).toBe(0);
    expect(result.stdoutComplete).toBe(true);
    const report = result.report!;
    expect(report.started).toBeGreaterThanOrEqual(500);
    // In-flight slices were drained by the service's handler: all of them ended and were logged.
    expect(report.ended).toBe(report.started);
    expect(result.summaryLines).toHaveLength(report.started);
    expect(new Set(result.summaryLines.map((l) => l.span_id)).size).toBe(report.started);
    // The bound ended the flush (not the collector), and what it left behind is counted.
    expect(result.diag.some((l) => l.includes(`did not finish within ${BOUND_MS} ms`))).toBe(true);
    expect(collector!.acceptedSpanIds.size).toBe(0);
    expect(report.stats.spansDropped).toBe(report.started * 2);
    expect(result.exitAfterSignalMs).toBeLessThan(ECS_STOP_TIMEOUT_MS);
    recordFigures('SIGTERM own handler, collector hangs, bound 1.5 s', {
      slicesWritten: result.summaryLines.length,
      slicesStarted: report.started,
      spansDropped: report.stats.spansDropped,
      shutdownMs: report.shutdownMs,
      signalToExitMs: result.exitAfterSignalMs,
    });
  });

  // Without a handler the service keeps starting slices during the flush; the lines logged before
  // the signal (≥ 500 at READY) must be out, and no line may be cut. Lines of slices ending after
  // the bound can be lost when stdout's reader is slower than the service logs (docs/reliability.md).
  it('service without a handler: flushes within the bound, then ends by SIGTERM; lines logged before the signal are out, none cut in half', async () => {
    const result = await signalMidBurst({ shutdownTimeoutMs: BOUND_MS }, ['SIGTERM']);
    expect(result.signal).toBe('SIGTERM');
    expect(result.stdoutComplete).toBe(true);
    expect(result.summaryLines.length).toBeGreaterThanOrEqual(500);
    expect(result.diag.some((l) => l.includes(`did not finish within ${BOUND_MS} ms`))).toBe(true);
    expect(result.exitAfterSignalMs).toBeLessThan(ECS_STOP_TIMEOUT_MS);
    recordFigures('SIGTERM no handler, collector hangs, bound 1.5 s', {
      slicesWritten: result.summaryLines.length,
      signalToExitMs: result.exitAfterSignalMs,
    });
  });

  it('a second SIGTERM during a flush bounded at 60 s exits at once with 143', async () => {
    const result = await signalMidBurst({ shutdownTimeoutMs: 60_000 }, ['SIGTERM', 'SIGTERM']);
    // 143 = 128 + SIGTERM: the second signal's exit, not the flush finishing (that would end by the signal).
    expect(result.code).toBe(143);
    expect(result.stdoutComplete).toBe(true);
    expect(result.summaryLines.length).toBeGreaterThanOrEqual(500);
    recordFigures('second SIGTERM during a 60 s-bounded flush', {
      slicesWritten: result.summaryLines.length,
      signalToExitMs: result.exitAfterSignalMs,
    });
  });
});

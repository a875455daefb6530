/**
 * Issue 11, item 5 (and the OTEL_BSP_* bullet of item 10): with `node --import
 * alakai-otel/register app.mjs` from the packed package, each configuration mistake is said once,
 * as exactly one line on stderr, the service still starts and exits 0, and OTEL_LOG_LEVEL is
 * honoured as the OTel SDK honours it (none/error silence the line; a level that shows warnings
 * shows it once, through the diag console logger).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/fake-otlp-receiver.js';
import { consumerApp, type RunResult } from './harness/app.js';

let collector: OtlpReceiver | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

/** A service: says it started, runs its slices if tracing is there, and returns. */
const APP = `import { getAlakaiTracing } from 'alakai-otel';
const tracing = getAlakaiTracing();
process.stdout.write(JSON.stringify({ started: true, tracing: tracing !== undefined }) + '\\n');
if (tracing) {
  if (process.env.APP_LOG_LEVEL) tracing.logger.level = process.env.APP_LOG_LEVEL;
  const n = Number(process.env.APP_SLICES ?? 1);
  for (let i = 0; i < n; i++) tracing.runSlice({ event: 'coding.prompt', steps: ['run'] }, (slice) => slice.step('run', () => i));
  process.on('exit', () => process.stdout.write(JSON.stringify({ stats: tracing.stats() }) + '\\n'));
}
`;

interface Outcome {
  result: RunResult;
  stdoutLines: Record<string, unknown>[];
  stderrLines: string[];
}

describe('register entry: a configuration mistake is never silent, and never stops the service', () => {
  const app = consumerApp();
  const script = app.write('config-mistakes/app.mjs', APP);

  async function run(env: Record<string, string>): Promise<Outcome> {
    const result = await app.run(script, { nodeArgs: ['--import', 'alakai-otel/register'], env, timeoutMs: 60_000 });
    const stdoutLines = result.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { result, stdoutLines, stderrLines: result.stderr.split('\n').filter((l) => l !== '') };
  }

  function expectStarted(o: Outcome, tracing: boolean): void {
    expect(o.result.code).toBe(0);
    expect(o.stdoutLines[0]).toEqual({ started: true, tracing });
  }

  it('ALAKAI_COMPONENT unset: one line says why tracing is not set up; the service runs', async () => {
    const o = await run({});
    expectStarted(o, false);
    expect(o.stderrLines).toEqual([
      'alakai-otel: ALAKAI_COMPONENT is not set (expected one of core, orchestrator, worker); tracing is not set up (the service runs without it)',
    ]);
  });

  it('ALAKAI_COMPONENT=wroker: one line names the typo; no line carries it', async () => {
    const o = await run({ ALAKAI_COMPONENT: 'wroker' });
    expectStarted(o, false);
    expect(o.stderrLines).toEqual([
      'alakai-otel: ALAKAI_COMPONENT "wroker" is not one of core, orchestrator, worker; tracing is not set up (the service runs without it)',
    ]);
    expect(o.result.stdout).not.toContain('[event]');
  });

  it('a logger level above info: one line says summary lines are suppressed', async () => {
    collector = await startOtlpReceiver('ok');
    const o = await run({
      ALAKAI_COMPONENT: 'worker',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url,
      APP_LOG_LEVEL: 'warn',
      APP_SLICES: '3',
    });
    expectStarted(o, true);
    expect(o.stderrLines).toEqual([
      'alakai-otel: the logger level is "warn", above info, so summary event lines are suppressed',
    ]);
    expect(o.result.stdout).not.toContain('[event]');
  });

  it('a collector that cannot be reached: one line names the endpoint and the error', async () => {
    collector = await startOtlpReceiver('refuse');
    const o = await run({
      ALAKAI_COMPONENT: 'worker',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      APP_SLICES: '3',
    });
    expectStarted(o, true);
    expect(o.stderrLines).toHaveLength(1);
    expect(o.stderrLines[0]).toMatch(
      new RegExp(
        `^alakai-otel: dropping spans \\(cannot export to ${collector.url.replaceAll('.', '\\.')}: connect ECONNREFUSED `,
      ),
    );
    expect(o.stdoutLines.at(-1)).toMatchObject({ stats: { spansDropped: 6, droppedBy: { exportFailed: 6 } } });
  });

  it('OTEL_BSP_MAX_QUEUE_SIZE is the export queue cap: spans beyond it are dropped, counted, said once', async () => {
    collector = await startOtlpReceiver('ok');
    // 20 slices end in one tick (40 spans): a queue of 4 (batches of 4) exports one batch at a
    // time and holds 4 more; the rest are dropped. The default queue (2048) would hold them all.
    const env = { ALAKAI_COMPONENT: 'worker', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url, APP_SLICES: '20' };
    const capped = await run({ ...env, OTEL_BSP_MAX_QUEUE_SIZE: '4' });
    expectStarted(capped, true);
    expect(capped.stderrLines).toEqual([
      'alakai-otel: dropping spans (export queue full at 4 spans: the collector is slow or unreachable); further drops are counted silently in stats().spansDropped, total reported at shutdown',
    ]);
    const stats = (capped.stdoutLines.at(-1) as { stats: { spansDropped: number; droppedBy: { queueFull: number } } })
      .stats;
    expect(stats.droppedBy.queueFull).toBe(stats.spansDropped);
    expect(stats.spansDropped).toBe(40 - 8);
    expect(collector.acceptedSpans()).toHaveLength(8);

    await collector.close();
    collector = await startOtlpReceiver('ok');
    const uncapped = await run({ ...env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url });
    expect(uncapped.stderrLines).toEqual([]);
    expect(collector.acceptedSpans()).toHaveLength(40);
  });

  it('an OTEL_BSP_* value that is not a number is said, and the default used', async () => {
    collector = await startOtlpReceiver('ok');
    const o = await run({
      ALAKAI_COMPONENT: 'worker',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url,
      OTEL_BSP_MAX_QUEUE_SIZE: '2k',
    });
    expectStarted(o, true);
    expect(o.stderrLines).toEqual(['alakai-otel: OTEL_BSP_MAX_QUEUE_SIZE="2k" is not an integer >= 1; using 2048']);
    expect(collector.acceptedSpans()).toHaveLength(2);
  });

  describe('OTEL_LOG_LEVEL', () => {
    for (const level of ['none', 'NONE', 'error']) {
      it(`${level} silences the lines that show without it (the service still starts)`, async () => {
        expect((await run({ ALAKAI_COMPONENT: 'wroker' })).stderrLines).toHaveLength(1);
        expect((await run({ ALAKAI_COMPONENT: 'wroker', OTEL_LOG_LEVEL: level })).stderrLines).toEqual([]);
        collector = await startOtlpReceiver('refuse');
        const env = {
          ALAKAI_COMPONENT: 'worker',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url,
          OTEL_EXPORTER_OTLP_TIMEOUT: '500',
        };
        expect((await run(env)).stderrLines).toHaveLength(1);
        const o = await run({ ...env, OTEL_LOG_LEVEL: level });
        expectStarted(o, true);
        // ERROR installs the diag console logger: the exporter's own errors are what it asked for.
        expect(o.stderrLines.filter((l) => l.includes('alakai-otel'))).toEqual([]);
      });
    }

    it('warn: the line comes once, through the diag console logger, not a second time', async () => {
      const o = await run({ ALAKAI_COMPONENT: 'wroker', OTEL_LOG_LEVEL: 'warn' });
      expectStarted(o, false);
      expect(o.stderrLines).toEqual([
        'alakai-otel: ALAKAI_COMPONENT "wroker" is not one of core, orchestrator, worker; tracing is not set up (the service runs without it)',
      ]);
    });

    it('an unknown value is said, and INFO used (so the other lines still show)', async () => {
      const o = await run({ ALAKAI_COMPONENT: 'wroker', OTEL_LOG_LEVEL: 'loud' });
      expectStarted(o, false);
      expect(o.stderrLines).toEqual([
        'alakai-otel: OTEL_LOG_LEVEL="loud" is not one of NONE, ERROR, WARN, INFO, DEBUG, VERBOSE, ALL; using INFO',
        'alakai-otel: ALAKAI_COMPONENT "wroker" is not one of core, orchestrator, worker; tracing is not set up (the service runs without it)',
      ]);
    });
  });
});

/**
 * Issue 11, item 2: a one-shot worker (an ECS task that finishes) runs its slices and returns; its
 * event loop empties and nobody calls shutdown(). What was queued must still be exported, bounded
 * by shutdownTimeoutMs, and what could not be must be counted and said. Both ways of adopting the
 * packed package: `node --import alakai-otel/register` and `setupAlakaiTracing`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/fake-otlp-receiver.js';
import { consumerApp, type RunResult } from './harness/app.js';

const TRACE_ID = '6c1f9a2e-4b7d-4e3a-8f5c-2d1e0b9a8c7d';
const SLICES = 5;

let collector: OtlpReceiver | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

/** The worker's body: slices with one step each, then it simply returns. */
const WORK = `
for (let i = 0; i < ${SLICES}; i++) {
  await tracing.runSlice({ event: 'coding.prompt', traceId: '${TRACE_ID}', steps: ['run'] }, (slice) => slice.step('run', () => i));
}
process.stderr.write('WORK_DONE ' + Date.now() + '\\n');
// The app's own 'exit' listener runs after the SDK's (registered at setup): stats as the process ends.
process.on('exit', () => process.stderr.write('EXIT ' + Date.now() + ' ' + JSON.stringify(tracing.stats()) + '\\n'));
`;

function summaryLines(result: RunResult): Record<string, unknown>[] {
  return result.stdout
    .split('\n')
    .filter((l) => l.includes('"[event] '))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function marker(result: RunResult, name: string): string[] {
  const line = result.stderr.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} line in stderr:\n${result.stderr}`);
  return line.split(' ').slice(1);
}

/** stderr without the scenario's own markers: what the SDK said. */
function sdkLines(result: RunResult): string[] {
  return result.stderr.split('\n').filter((l) => l !== '' && !/^(WORK_DONE|EXIT) /.test(l));
}

describe('a process that ends on its own exports what it queued', () => {
  const app = consumerApp();

  it('register entry: the worker returns without shutdown(); every span reaches the collector', async () => {
    collector = await startOtlpReceiver('ok');
    const script = app.write(
      'natural-exit/register-worker.mjs',
      `import { getAlakaiTracing } from 'alakai-otel';
const tracing = getAlakaiTracing();
${WORK}`,
    );
    const result = await app.run(script, {
      nodeArgs: ['--import', 'alakai-otel/register'],
      env: { ALAKAI_COMPONENT: 'worker', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url },
    });
    expect(sdkLines(result)).toEqual([]);
    expect(result.code).toBe(0);
    expect(summaryLines(result)).toHaveLength(SLICES);
    const spans = collector.acceptedSpans();
    expect(spans).toHaveLength(2 * SLICES);
    expect(spans.filter((s) => s.name === 'coding.prompt')).toHaveLength(SLICES);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([TRACE_ID.replaceAll('-', '')]));
    const stats = JSON.parse(marker(result, 'EXIT').slice(1).join(' ')) as { spansDropped: number };
    expect(stats.spansDropped).toBe(0);
  });

  it("setupAlakaiTracing with the service's own pino: the worker returns without shutdown(); every span reaches the collector", async () => {
    collector = await startOtlpReceiver('ok');
    const script = app.write(
      'natural-exit/setup-worker.mjs',
      `import pino from 'pino';
import { setupAlakaiTracing } from 'alakai-otel';
const logger = pino({ base: { service: 'alakai-worker-implementation', component: 'worker' }, timestamp: pino.stdTimeFunctions.isoTime });
const tracing = setupAlakaiTracing({ service: 'alakai-worker-implementation', component: 'worker', logger });
${WORK}`,
    );
    const result = await app.run(script, { env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url } });
    expect(sdkLines(result)).toEqual([]);
    expect(result.code).toBe(0);
    expect(summaryLines(result)).toHaveLength(SLICES);
    expect(collector.acceptedSpans()).toHaveLength(2 * SLICES);
  });

  it('a collector that hangs: the process still ends within shutdownTimeoutMs, and the loss is counted and said once', async () => {
    collector = await startOtlpReceiver('hang');
    const boundMs = 1500;
    const script = app.write(
      'natural-exit/hanging-collector.mjs',
      `import { setupAlakaiTracing } from 'alakai-otel';
const tracing = setupAlakaiTracing({ service: 'alakai-worker-implementation', component: 'worker', shutdownTimeoutMs: ${boundMs} });
${WORK}`,
    );
    const result = await app.run(script, {
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url },
      timeoutMs: 30_000,
    });
    expect(result.code).toBe(0);
    expect(summaryLines(result)).toHaveLength(SLICES); // the lines never wait for the collector
    const workDone = Number(marker(result, 'WORK_DONE')[0]);
    const [exitAt, ...statsJson] = marker(result, 'EXIT');
    // Ends at the bound (plus the exporter's request timeout, capped at the same bound), not at
    // the exporter's 10 s default or never.
    expect(Number(exitAt) - workDone).toBeGreaterThanOrEqual(boundMs - 50);
    expect(Number(exitAt) - workDone).toBeLessThan(boundMs + 1500);
    const stats = JSON.parse(statsJson.join(' ')) as { spansDropped: number; droppedBy: Record<string, number> };
    expect(collector.requests()).toBeGreaterThan(0); // the export was tried
    expect(collector.acceptedSpans()).toHaveLength(0);
    expect(stats.spansDropped).toBe(2 * SLICES);
    expect(stats.droppedBy.notSentInTime).toBe(2 * SLICES);
    const said = sdkLines(result);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /^alakai-otel: dropping spans \(the process ended on its own and 10 spans were not exported within shutdownTimeoutMs \(1500 ms\)\)/,
    );
  });

  it('process.exit() called by the app: summary lines are flushed, the queued spans are lost, counted and said once', async () => {
    collector = await startOtlpReceiver('ok');
    const script = app.write(
      'natural-exit/process-exit.mjs',
      `import { setupAlakaiTracing } from 'alakai-otel';
const tracing = setupAlakaiTracing({ service: 'alakai-worker-implementation', component: 'worker' });
${WORK}
process.exit(3);`,
    );
    const result = await app.run(script, { env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url } });
    expect(result.code).toBe(3);
    expect(summaryLines(result)).toHaveLength(SLICES);
    expect(collector.acceptedSpans()).toHaveLength(0);
    const stats = JSON.parse(marker(result, 'EXIT').slice(1).join(' ')) as {
      spansDropped: number;
      droppedBy: Record<string, number>;
    };
    expect(stats.droppedBy.processExit).toBe(2 * SLICES);
    expect(sdkLines(result)).toEqual([
      'alakai-otel: the process exited with 10 spans not yet exported, so they are lost: call `await tracing.shutdown()` before process.exit() (counted in stats().spansDropped)',
    ]);
  });
});

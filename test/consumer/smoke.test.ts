/**
 * The plain adoption path, from the packed package: a service with its own pino logger calls
 * setupAlakaiTracing, runs one slice and shuts down; the summary line is on stdout and the slice's
 * span reached an OTLP/HTTP receiver on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/fake-otlp-receiver.js';
import { consumerApp } from './harness/app.js';

describe("packed package: setupAlakaiTracing with the service's own pino", () => {
  const app = consumerApp();
  let collector: OtlpReceiver;
  beforeAll(async () => {
    collector = await startOtlpReceiver('ok');
  });
  afterAll(() => collector.close());

  it('writes the summary line and exports the slice span', async () => {
    const script = app.write(
      'smoke/service.mjs',
      `import pino from 'pino';
import { setupAlakaiTracing } from 'alakai-otel';
const logger = pino({ base: { service: 'alakai-core', component: 'core' }, timestamp: pino.stdTimeFunctions.isoTime });
const tracing = setupAlakaiTracing({ service: 'alakai-core', component: 'core', logger, handleSignals: false });
await tracing.runSlice({ event: 'slack.implementation', traceId: '3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b', steps: ['enqueue'] }, async (slice) => {
  await slice.step('enqueue', () => 1);
});
await tracing.shutdown();
`,
    );
    const result = await app.run(script, { env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const line = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    expect(line).toMatchObject({
      trace_id: '3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b',
      msg: '[event] slack.implementation -> success',
      steps: { enqueue: 'ok' },
    });
    const spans = collector.acceptedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['enqueue', 'slack.implementation']);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set(['3f2b8c1e5d4a4e6f9a7b1c2d3e4f5a6b']));
  });
});

/**
 * `alakai-otel/pino-transport` from the packed package: a service configures it as a pino
 * transport target beside the usual stdout target, logs the guide's summary line by hand and ends
 * on its own (no shutdown call, no register entry). The summary line is on stdout unchanged and
 * its span reached the OTLP/HTTP receiver: pino's exit handling closes the transport, whose close
 * exports what is queued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/fake-otlp-receiver.js';
import { consumerApp } from './harness/app.js';

const app = consumerApp();
let collector: OtlpReceiver;
beforeAll(async () => {
  collector = await startOtlpReceiver('ok');
});
afterAll(() => collector.close());

const TRACE_ID = '7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

function summaryFields(event: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    service: 'alakai-orchestrator',
    component: 'orchestrator',
    trace_id: TRACE_ID,
    event,
    outcome: 'success',
    final_status: 'completed',
    duration_ms: 87,
    context: { trace_id: TRACE_ID, component: 'orchestrator' },
    steps: { receive_message: 'ok', acquire_slot: 'ok', launch_task: 'ok' },
    error: null,
    ...extra,
  });
}

describe('packed package: alakai-otel/pino-transport as a pino.transport target', () => {
  it('exports summary lines as spans when the process ends on its own; stdout gets every line unchanged', async () => {
    const script = app.write(
      'transport/service.mjs',
      `import pino from 'pino';
const logger = pino(pino.transport({ targets: [
  { target: 'alakai-otel/pino-transport', options: { url: process.env.COLLECTOR_URL } },
  { target: 'pino/file', options: { destination: 1 } },
] }));
logger.info({ trace_id: '${TRACE_ID}', step: 'acquire_slot' }, 'slot acquired');
logger.info(${summaryFields('coding.implementation')}, '[event] coding.implementation -> success');
logger.child({ request_id: 'r-1' }).info(${summaryFields('coding.prompt')}, '[event] coding.prompt -> success');
`,
    );
    const result = await app.run(script, { env: { COLLECTOR_URL: collector.url } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.msg)).toEqual([
      'slot acquired',
      '[event] coding.implementation -> success',
      '[event] coding.prompt -> success',
    ]);
    expect(lines[1]).toEqual({
      level: 30,
      time: lines[1]!.time,
      pid: lines[1]!.pid,
      hostname: lines[1]!.hostname,
      ...JSON.parse(summaryFields('coding.implementation')),
      msg: '[event] coding.implementation -> success',
    });
    const spans = collector.acceptedSpans().filter((s) => s.traceId === TRACE_ID.replaceAll('-', ''));
    expect(spans.map((s) => s.name).sort()).toEqual(['coding.implementation', 'coding.prompt']);
    expect(spans[0]!.resource['service.name']).toBe('alakai-orchestrator');
  });

  it("fills in `service`/`component` from its options for lines without them, never replacing a line's own", async () => {
    const script = app.write(
      'transport/defaults.mjs',
      `import pino from 'pino';
const logger = pino(pino.transport({ targets: [
  { target: 'alakai-otel/pino-transport', options: { url: process.env.COLLECTOR_URL, service: 'alakai-core', component: 'core' } },
  { target: 'pino/file', options: { destination: 1 } },
] }));
const { service, component, ...bare } = ${summaryFields('slack.implementation', { context: { trace_id: TRACE_ID, component: 'core' } })};
logger.info({ ...bare, trace_id: '${TRACE_ID}' }, '[event] slack.implementation -> success');
logger.info(${summaryFields('slack.prompt')}, '[event] slack.prompt -> success');
`,
    );
    const result = await app.run(script, { env: { COLLECTOR_URL: collector.url } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.split('\n')[0]!)).not.toHaveProperty('service'); // stdout is the service's line
    const spans = collector
      .acceptedSpans()
      .filter((s) => s.name === 'slack.implementation' || s.name === 'slack.prompt');
    expect(Object.fromEntries(spans.map((s) => [s.name, s.resource['service.name']]))).toEqual({
      'slack.implementation': 'alakai-core',
      'slack.prompt': 'alakai-orchestrator',
    });
  });

  it('says on stderr, at exit, what it could not convert or export', async () => {
    const refused = await startOtlpReceiver('refuse');
    const script = app.write(
      'transport/losses.mjs',
      `import pino from 'pino';
const logger = pino(pino.transport({ targets: [
  { target: 'alakai-otel/pino-transport', options: { url: process.env.COLLECTOR_URL, timeoutMs: 3000 } },
  { target: 'pino/file', options: { destination: 1 } },
] }));
const { service, ...noService } = ${summaryFields('coding.prompt')};
logger.info(noService, '[event] coding.prompt -> success');
logger.info(${summaryFields('coding.implementation')}, '[event] coding.implementation -> success');
`,
    );
    const result = await app.run(script, { env: { COLLECTOR_URL: refused.url } });
    await refused.close();
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(2);
    const said = result.stderr.trim().split('\n');
    expect(said).toContain(
      'alakai-otel: zero-code mode: a line logged as a summary event is not a valid one (missing_field:service); it is not exported, and later ones are not reported',
    );
    expect(
      said.some((l) =>
        /^alakai-otel: pino transport: (1 spans were not exported \(1 failed exports\)|export did not finish within 3000 ms at exit)$/.test(
          l,
        ),
      ),
    ).toBe(true);
  });
});

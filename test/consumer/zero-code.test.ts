/**
 * Zero-code mode from the packed package, as the adoption issue's user ran it:
 * `ALAKAI_ZERO_CODE=true node --import alakai-otel/register app` for a service that makes its own
 * pino logger and logs the guide's summary lines by hand. Each way a service gets a logger (ESM
 * default and named import, CommonJS require, `pino()`, `pino(pino.destination(1))`, a child)
 * must get its summary lines to the collector as spans, and the line on stdout must be exactly
 * what pino writes without alakai-otel. Finding nothing to convert is said on stderr; a line
 * logged right before `shutdown()` or `forceFlush()` is exported.
 *
 * The scripts end with `getAlakaiTracing().shutdown()`: exporting at a natural exit is issue 11
 * item 2's other half, tested on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/fake-otlp-receiver.js';
import { consumerApp, type RunResult } from './harness/app.js';

const app = consumerApp();
let collector: OtlpReceiver;
beforeAll(async () => {
  collector = await startOtlpReceiver('ok');
});
afterAll(() => collector.close());

let scenarios = 0;
/** A trace id of its own per scenario, so the spans of one scenario are told apart. */
function nextTraceId(): string {
  scenarios++;
  return `3f2a9c10-7d4e-4b8a-9c1d-${String(scenarios).padStart(12, '0')}`;
}

/** The guide-shaped summary event a legacy worker logs by hand (msg is the logging call's). */
function summaryFields(traceId: string, event: string): string {
  return JSON.stringify({
    service: 'alakai-worker-implementation',
    component: 'worker',
    trace_id: traceId,
    event,
    outcome: 'success',
    final_status: 'completed',
    duration_ms: 1234,
    context: { trace_id: traceId, component: 'worker' },
    steps: { clone: 'ok', run_agent: 'ok', open_pr: 'ok' },
    error: null,
    repo: { full_name: 'org/repo', base_ref: 'main' },
  });
}

const SHUTDOWN_ESM = `const { getAlakaiTracing } = await import('alakai-otel');\nawait getAlakaiTracing()?.shutdown();\n`;

function zeroCodeEnv(): Record<string, string> {
  return { ALAKAI_COMPONENT: 'worker', ALAKAI_ZERO_CODE: 'true', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url };
}

function stdoutLines(result: RunResult): Record<string, unknown>[] {
  return result.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** stdout with what differs between two runs of one script (time, pid) made equal. */
function comparable(stdout: string): string {
  return stdout.replace(/"time":\d+/g, '"time":0').replace(/"pid":\d+/g, '"pid":0');
}

/**
 * Runs `script` once as the service alone and once under the register entry in zero-code mode;
 * the stdout of both must be the same lines (the tee only looks), and returns the spans of `traceId`.
 */
async function runBothWays(script: string, traceId: string, preload: string[] = ['--import', 'alakai-otel/register']) {
  const plain = await app.run(script, { env: {} });
  expect(plain.code, plain.stderr).toBe(0);
  // No shutdown() in the scripts: the process ends on its own and the natural-exit flush exports.
  const teed = await app.run(script, { env: zeroCodeEnv(), nodeArgs: preload });
  expect(teed.stderr).toBe('');
  expect(teed.code).toBe(0);
  expect(comparable(teed.stdout)).toBe(comparable(plain.stdout));
  const otelTraceId = traceId.replaceAll('-', '');
  return { teed, spans: collector.acceptedSpans().filter((s) => s.traceId === otelTraceId) };
}

describe("zero-code mode with the service's own pino logger (packed package, --import alakai-otel/register)", () => {
  it("ESM `import pino from 'pino'`: pino(), pino(pino.destination(1)) and a child logger each export their summary line", async () => {
    const traceId = nextTraceId();
    const script = app.write(
      'zero-code/esm-default.mjs',
      `import pino from 'pino';
const fields = (event) => ({ ...${summaryFields(traceId, 'EVENT')}, event });
const logger = pino();
logger.info({ step: 'clone' }, 'cloning'); // a step line: not a slice
logger.info(fields('slack.implementation'), '[event] slack.implementation -> success');
pino(pino.destination(1)).info(fields('coding.implementation'), '[event] coding.implementation -> success');
logger.child({ request_id: 'r-1' }).info(fields('coding.prompt'), '[event] coding.prompt -> success');
`,
    );
    const { teed, spans } = await runBothWays(script, traceId);
    expect(spans.map((s) => s.name).sort()).toEqual(['coding.implementation', 'coding.prompt', 'slack.implementation']);
    expect(spans.every((s) => s.resource['service.name'] === 'alakai-worker-implementation')).toBe(true);
    expect(spans.find((s) => s.name === 'slack.implementation')!.attributes).toMatchObject({
      'alakai.repo.full_name': 'org/repo',
      'alakai.legacy': true,
    });
    const summary = stdoutLines(teed).find((l) => l.event === 'slack.implementation')!;
    expect(summary).toMatchObject({ level: 30, trace_id: traceId, msg: '[event] slack.implementation -> success' });
    expect(typeof summary.time).toBe('number'); // pino's own epoch-ms time: the tee changed nothing
    expect(summary).toHaveProperty('hostname');
  });

  it("ESM `import { pino } from 'pino'` exports its summary line", async () => {
    const traceId = nextTraceId();
    const script = app.write(
      'zero-code/esm-named.mjs',
      `import { pino } from 'pino';
pino().info(${summaryFields(traceId, 'slack.implementation')}, '[event] slack.implementation -> success');
`,
    );
    const { spans } = await runBothWays(script, traceId);
    expect(spans.map((s) => s.name)).toEqual(['slack.implementation']);
  });

  it("CommonJS `require('pino')`: pino(), pino(pino.destination(1)) and a child logger each export their summary line", async () => {
    const traceId = nextTraceId();
    const script = app.write(
      'zero-code/service.cjs',
      `const pino = require('pino');
const fields = (event) => ({ ...${summaryFields(traceId, 'EVENT')}, event });
const logger = pino();
logger.info(fields('slack.implementation'), '[event] slack.implementation -> success');
pino(pino.destination(1)).info(fields('coding.implementation'), '[event] coding.implementation -> success');
logger.child({ request_id: 'r-1' }).info(fields('coding.prompt'), '[event] coding.prompt -> success');
`,
    );
    const { spans } = await runBothWays(script, traceId);
    expect(spans.map((s) => s.name).sort()).toEqual(['coding.implementation', 'coding.prompt', 'slack.implementation']);
  });

  it('CommonJS service preloaded with `node -r alakai-otel/register` (the CommonJS build) exports its summary lines', async () => {
    const traceId = nextTraceId();
    const script = app.write(
      'zero-code/service-r.cjs',
      `const pino = require('pino');
const logger = pino();
logger.info({ ...${summaryFields(traceId, 'slack.implementation')} }, '[event] slack.implementation -> success');
logger.child({ request_id: 'r-2' }).info({ ...${summaryFields(traceId, 'coding.prompt')} }, '[event] coding.prompt -> success');
`,
    );
    const { spans } = await runBothWays(script, traceId, ['-r', 'alakai-otel/register']);
    expect(spans.map((s) => s.name).sort()).toEqual(['coding.prompt', 'slack.implementation']);
  });

  it('says once on stderr when the service logs only lines that are not summary events', async () => {
    const script = app.write(
      'zero-code/no-summary.mjs',
      `import pino from 'pino';
const logger = pino();
logger.info({ step: 'clone' }, 'cloning');
logger.info({ step: 'push' }, 'pushing');
${SHUTDOWN_ESM}`,
    );
    const result = await app.run(script, { env: zeroCodeEnv(), nodeArgs: ['--import', 'alakai-otel/register'] });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'alakai-otel: zero-code mode found nothing to convert: 2 lines were logged, none of them a summary event (msg "[event] <event> -> <outcome>")\n',
    );
    expect(stdoutLines(result).map((l) => l.msg)).toEqual(['cloning', 'pushing']);
  });

  it('says once on stderr, at exit, when the service never creates a pino logger', async () => {
    const script = app.write('zero-code/no-logger.mjs', `console.log('working without pino');\n`);
    const result = await app.run(script, { env: zeroCodeEnv(), nodeArgs: ['--import', 'alakai-otel/register'] });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('working without pino\n');
    expect(result.stderr).toMatch(
      /^alakai-otel: zero-code mode found nothing to convert: the service created no pino logger after alakai-otel\/register loaded[^\n]*\n$/,
    );
  });

  it('says why a summary line of the service is not converted (a line without `service`)', async () => {
    const traceId = nextTraceId();
    const script = app.write(
      'zero-code/invalid.mjs',
      `import pino from 'pino';
const { service, ...fields } = ${summaryFields(traceId, 'slack.implementation')};
pino().info(fields, '[event] slack.implementation -> success');
${SHUTDOWN_ESM}`,
    );
    const result = await app.run(script, { env: zeroCodeEnv(), nodeArgs: ['--import', 'alakai-otel/register'] });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'alakai-otel: zero-code mode: a line logged as a summary event is not a valid one (missing_field:service); it is not exported, and later ones are not reported\n',
    );
  });
});

describe('zero-code mode: a summary line logged right before shutdown() or forceFlush() is exported', () => {
  for (const call of ['shutdown', 'forceFlush'] as const) {
    it(`through the SDK's logger, then at once \`await tracing.${call}()\``, async () => {
      const traceId = nextTraceId();
      const script = app.write(
        `zero-code/before-${call}.mjs`,
        `import { getAlakaiTracing } from 'alakai-otel';
const tracing = getAlakaiTracing();
tracing.logger.info(${summaryFields(traceId, 'slack.implementation')}, '[event] slack.implementation -> success');
await tracing.${call}();
console.error(JSON.stringify(tracing.stats()));
process.exit(0); // nothing after the call may export it
`,
      );
      const result = await app.run(script, { env: zeroCodeEnv(), nodeArgs: ['--import', 'alakai-otel/register'] });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stderr)).toMatchObject({ spansDropped: 0, exportFailures: 0 });
      expect(
        collector
          .acceptedSpans()
          .filter((s) => s.traceId === traceId.replaceAll('-', ''))
          .map((s) => s.name),
      ).toEqual(['slack.implementation']);
    });
  }
});

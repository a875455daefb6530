/**
 * Issue 11, item 10 (all but the OTEL_BSP_* bullet), as a user meets them with the installed
 * package: `alakai-otel --version`; `trace` on a non-UUID id the SDK wrote; the worker's default
 * service name under the register entry; the waterfall of steps that all start in one millisecond,
 * with each row naming its component; `live` with one working and one dead destination; and no
 * AWS SDK Node-version warning from a CloudWatch backfill or a demo over SQS.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/fake-otlp-receiver.js';
import { consumerApp } from './harness/app.js';

const app = consumerApp();
const STEPS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven'];

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A service that runs one slice with `traceId` and seven quick steps, printing its lines on stdout. */
function sliceScript(name: string, component: string, traceId: string): string {
  return app.write(
    `small/${name}.mjs`,
    `import pino from 'pino';
import { setupAlakaiTracing } from 'alakai-otel';
const logger = pino({ base: { service: 'alakai-${component}', component: '${component}' }, timestamp: pino.stdTimeFunctions.isoTime });
const tracing = setupAlakaiTracing({ service: 'alakai-${component}', component: '${component}', logger, handleSignals: false });
await tracing.runSlice({ event: 'slack.implementation', traceId: ${JSON.stringify(traceId)}, steps: ${JSON.stringify(STEPS)} }, async (slice) => {
  // Synchronous steps: they start (and usually end) within the same millisecond.
  for (const step of ${JSON.stringify(STEPS)}) await slice.step(step, () => step.length);
});
await tracing.shutdown();
`,
  );
}

describe('alakai-otel --version', () => {
  it('prints the installed package version', async () => {
    const version = (
      JSON.parse(readFileSync(join(app.dir, 'node_modules/alakai-otel/package.json'), 'utf8')) as { version: string }
    ).version;
    const r = await app.cli(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('trace and the waterfall on lines a service wrote', () => {
  let logFile: string;
  const ID = 'slack-cmd:T024BE7LD/C1234/1715000000.000100';
  beforeAll(async () => {
    const r = await app.run(sliceScript('non-uuid', 'core', ID), {
      env: { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await closedPort()}` },
    });
    expect(r.code).toBe(0);
    logFile = app.write('small/non-uuid.ndjson', r.stdout);
    expect(r.stdout).toContain(`"trace_id":${JSON.stringify(ID)}`);
  });

  it('trace <non-UUID id> finds the execution the SDK logged under that id', async () => {
    const r = await app.cli(['trace', ID, '--input', logFile, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as {
      traceId: string;
      slices: { component: string; event: string }[];
      spans: { name: string }[];
    };
    expect(json.traceId).toBe(ID);
    expect(json.slices).toMatchObject([{ component: 'core', event: 'slack.implementation' }]);
    expect(json.spans).toHaveLength(1 + STEPS.length);
    // The case the waterfall test is about: steps that share their (whole-millisecond) start.
    const starts = (json.spans as unknown as { name: string; start: string }[])
      .filter((s) => STEPS.includes(s.name))
      .map((s) => s.start);
    expect(new Set(starts).size).toBeLessThan(STEPS.length);
  });

  it('steps that start in the same millisecond keep the order they ran in, and every row names its component', async () => {
    const r = await app.cli(['trace', ID, '--input', logFile, '--width', '140']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.includes('|'));
    const names = rows.map((l) => l.slice(0, 44).trim());
    expect(names).toEqual(['slack.implementation', ...STEPS]);
    for (const row of rows) expect(row.trimEnd()).toMatch(/\| core$/);
  });
});

describe('the register entry names the worker as the guide does', () => {
  let collector: OtlpReceiver;
  beforeAll(async () => {
    collector = await startOtlpReceiver('ok');
  });
  afterAll(() => collector.close());

  it('ALAKAI_COMPONENT=worker without OTEL_SERVICE_NAME → service alakai-worker-implementation, on the line and the span', async () => {
    const script = app.write(
      'small/worker-register.mjs',
      `import { getAlakaiTracing } from 'alakai-otel';
const tracing = getAlakaiTracing();
await tracing.runSlice({ event: 'slack.implementation', traceId: '6f0c2a4e-1b3d-4e5f-8a7b-9c0d1e2f3a4b', steps: ['clone_repo'] }, async (slice) => {
  await slice.step('clone_repo', () => 1);
});
await tracing.shutdown();
`,
    );
    const r = await app.run(script, {
      nodeArgs: ['--import', 'alakai-otel/register'],
      env: { ALAKAI_COMPONENT: 'worker', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url },
    });
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(line).toMatchObject({ service: 'alakai-worker-implementation', component: 'worker' });
    const spans = collector.acceptedSpans();
    expect(spans.length).toBeGreaterThan(0);
    for (const s of spans) expect(s.resource['service.name']).toBe('alakai-worker-implementation');
  });
});

describe('live with two destinations', () => {
  let lines: string;
  beforeAll(async () => {
    const r = await app.run(sliceScript('live-input', 'orchestrator', '0b8e6c3a-7d2f-4a1e-9c5b-3f4a2e1d0c9b'), {
      env: { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await closedPort()}` },
    });
    expect(r.code).toBe(0);
    lines = r.stdout;
  });

  it('counts each destination on its own: the file got every span, the dead endpoint none; exit 0', async () => {
    const out = join(app.dir, 'small/live-spans.jsonl');
    const dead = `http://127.0.0.1:${await closedPort()}/v1/traces`;
    const r = await app.cli(['live', '--output', out, '--otlp-endpoint', dead], { stdin: lines });
    expect(r.stdout).toBe(lines);
    expect(r.code).toBe(0);
    const spans = 1 + STEPS.length;
    expect(r.stderr).toContain(`alakai-otel live: ${out}: ${spans} spans exported, 0 failed to export`);
    expect(r.stderr).toContain(`alakai-otel live: ${dead}: 0 spans exported, ${spans} failed to export`);
    expect(readFileSync(out, 'utf8').trim().split('\n').length).toBeGreaterThan(0);
  });

  it('exits 1 when every export failed (the lines still passed through)', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}/v1/traces`;
    const r = await app.cli(['live', '--otlp-endpoint', dead], { stdin: lines });
    expect(r.stdout).toBe(lines);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dead}: 0 spans exported, ${1 + STEPS.length} failed to export`);
  });
});

describe('no AWS SDK Node-version warning from our commands', () => {
  const awsEnv = (port: number): Record<string, string> => ({
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  });

  it('backfill --since against CloudWatch: one line of its own on stderr, no SDK warning', async () => {
    const r = await app.cli(['backfill', '--since', '1h', '--dry-run'], {
      env: awsEnv(await closedPort()),
      timeoutMs: 90_000,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|AWS SDK for JavaScript/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('demo over SQS: its services construct SQS clients without the warning', async () => {
    const port = await closedPort();
    const out = join(app.dir, 'small/demo-sqs');
    const r = await app.cli(['demo', '--out', out, '--executions', '1'], {
      env: { ...awsEnv(port), ALAKAI_DEMO_SQS_QUEUE_URL: `http://127.0.0.1:${port}/000000000000/alakai-demo` },
      timeoutMs: 90_000,
    });
    // The queue is unreachable, so the demo fails; what it prints must be its own words.
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|AWS SDK for JavaScript/);
    expect(r.stderr).toMatch(/ECONNREFUSED|exited with code/);
    writeFileSync(join(app.dir, 'small/demo-sqs.stderr'), r.stderr);
  });
});

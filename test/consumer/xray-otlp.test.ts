/**
 * The SDK straight to X-Ray's OTLP endpoint, from the packed package: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * names the fake X-Ray (fake-otlp-receiver.ts with `xray`: every signature recomputed, X-Ray's
 * limits enforced) and ALAKAI_SIGV4=xray forces signing, since the fake's host is not X-Ray's.
 *
 * Credentials come from the AWS default chain: once from an ECS task role (the container
 * credentials endpoint, AWS_CONTAINER_CREDENTIALS_FULL_URI, served here on loopback, with a
 * session token), once from the environment through the register entry.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/fake-otlp-receiver.js';
import { consumerApp } from './harness/app.js';

const REGION = 'us-west-2';
const TASK_ROLE = { AccessKeyId: 'ASIATASKROLE', SecretAccessKey: 'task-secret', Token: 'task-session-token' };
const TRACE_ID = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/** Nothing from a developer's AWS setup may sign these requests. */
const NO_AWS = {
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

const SERVICE = `import pino from 'pino';
import { setupAlakaiTracing } from 'alakai-otel';
const logger = pino({ base: { service: 'alakai-worker-implementation', component: 'worker' } });
const tracing = setupAlakaiTracing({ service: 'alakai-worker-implementation', component: 'worker', logger, handleSignals: false });
await tracing.runSlice({ event: 'coding.implementation', traceId: '${TRACE_ID}', steps: ['clone', 'test'] }, async (slice) => {
  await slice.step('clone', () => 1);
  await slice.step('test', () => 2);
});
await tracing.shutdown();
`;

describe('packed package: the SDK exports to X-Ray’s OTLP endpoint with SigV4', () => {
  const app = consumerApp();
  let xray: OtlpReceiver;
  let ecs: Server;
  let ecsUrl: string;
  let ecsCalls = 0;
  beforeAll(async () => {
    xray = await startOtlpReceiver('ok', {
      xray: {
        region: REGION,
        secrets: { [TASK_ROLE.AccessKeyId]: TASK_ROLE.SecretAccessKey, AKIDENV: 'env-secret' },
      },
    });
    // The ECS container credentials endpoint's answer, as the agent serves it to a task.
    ecs = createServer((_req, res) => {
      ecsCalls++;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ...TASK_ROLE, Expiration: new Date(Date.now() + 3_600_000).toISOString() }));
    });
    await new Promise<void>((resolve) => ecs.listen(0, '127.0.0.1', resolve));
    ecsUrl = `http://127.0.0.1:${(ecs.address() as AddressInfo).port}/v2/credentials/task`;
  });
  afterAll(async () => {
    await xray.close();
    await new Promise((resolve) => ecs.close(resolve));
  });

  it('setupAlakaiTracing: the spans arrive signed with the task role, its session token included, gzip’d', async () => {
    const script = app.write('xray/service.mjs', SERVICE);
    const before = xray.xrayAnswers().length;
    const result = await app.run(script, {
      env: {
        ...NO_AWS,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: xray.url,
        ALAKAI_SIGV4: 'xray',
        AWS_REGION: REGION,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: ecsUrl,
      },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(ecsCalls).toBeGreaterThan(0);
    const answers = xray.xrayAnswers().slice(before);
    expect(answers.length).toBeGreaterThan(0);
    for (const a of answers) {
      expect(a).toMatchObject({ status: 200, gzip: true, accessKeyId: 'ASIATASKROLE', sessionToken: TASK_ROLE.Token });
    }
    const names = xray
      .acceptedSpans()
      .filter((s) => s.traceId === TRACE_ID.replace(/-/g, ''))
      .map((s) => s.name)
      .sort();
    expect(names).toEqual(['clone', 'coding.implementation', 'test']);
  });

  it('the register entry, credentials from the environment: signed the same way', async () => {
    const script = app.write(
      'xray/registered.mjs',
      `import { getAlakaiTracing } from 'alakai-otel';
await getAlakaiTracing().runSlice({ event: 'coding.implementation', traceId: '${TRACE_ID.replace('7a', '8b')}' }, () => 1);
`,
    );
    const before = xray.xrayAnswers().length;
    const result = await app.run(script, {
      nodeArgs: ['--import', 'alakai-otel/register'],
      env: {
        ...NO_AWS,
        ALAKAI_COMPONENT: 'worker',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: xray.url,
        ALAKAI_SIGV4: 'xray',
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'AKIDENV',
        AWS_SECRET_ACCESS_KEY: 'env-secret',
      },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const answers = xray.xrayAnswers().slice(before);
    expect(answers.map((a) => [a.status, a.accessKeyId, a.spans])).toEqual([[200, 'AKIDENV', 1]]);
  });

  it('without ALAKAI_SIGV4 the fake’s host is not X-Ray’s: unsigned, refused 403 as X-Ray would', async () => {
    const script = app.write('xray/unsigned.mjs', SERVICE);
    const before = xray.xrayAnswers().length;
    const result = await app.run(script, {
      env: { ...NO_AWS, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: xray.url, AWS_REGION: REGION },
    });
    expect(result.code).toBe(0);
    const answers = xray.xrayAnswers().slice(before);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.status === 403 && a.errorType === 'MissingAuthenticationTokenException')).toBe(true);
  });
});

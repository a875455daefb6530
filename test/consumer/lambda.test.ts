/**
 * `alakai-otel/lambda` from the packed package: a child process in the consumer app imports the
 * handler (ESM and CommonJS), invokes it as Lambda would for a CloudWatch Logs subscription filter
 * — `{"awslogs": {"data": base64(gzip(envelope))}}` — and by the time each invocation returns its
 * spans are at the OTLP receiver. Bad payloads (not base64, truncated gzip, a gzip bomb, an
 * envelope that is not JSON) come back as counted rejections, never as a throw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOtelTraceId } from '../../src/contract/trace-id.js';
import { componentLines, generateFixtureSet } from '../fixtures/backfill/generate-fixtures.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/fake-otlp-receiver.js';
import { consumerApp } from './harness/app.js';

const set = generateFixtureSet({ seed: 5, executions: 6, noise: false });
const coreLines = componentLines(set, 'core').map((l) => l.text);
const summaries = coreLines.filter((l) => l.includes('"[event] '));

/** The scenario: invokes the handler once per payload kind and prints the results as JSON. */
const SCRIPT_BODY = `
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
const lines = JSON.parse(readFileSync(new URL('./lines.json', import.meta.url), 'utf8'));
const envelope = (messageType, messages) => ({
  messageType, owner: '123456789012', logGroup: '/ecs/alakai-core', logStream: 'ecs/core/abc',
  subscriptionFilters: ['alakai'],
  logEvents: messages.map((message, i) => ({ id: String(i), timestamp: 1764547200000 + i, message })),
});
const data = (text) => ({ awslogs: { data: gzipSync(text).toString('base64') } });
const context = { getRemainingTimeInMillis: () => 30_000 };
const results = {};
results.data = await handler(data(JSON.stringify(envelope('DATA_MESSAGE', [...lines, 'not json', '', '{"msg":"[event] cut off']))), context);
results.control = await handler(data(JSON.stringify(envelope('CONTROL_MESSAGE', ['CWL CONTROL MESSAGE: Checking health of destination']))), context);
results.notBase64 = await handler({ awslogs: { data: 'this is not base64!' } }, context);
const whole = gzipSync(JSON.stringify(envelope('DATA_MESSAGE', lines)));
results.truncated = await handler({ awslogs: { data: whole.subarray(0, whole.length - 20).toString('base64') } }, context);
results.bomb = await handler({ awslogs: { data: gzipSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64') } }, context);
results.badEnvelope = await handler(data('{"messageType":"DATA_MESSAGE","logEvents":[{'), context);
results.noAwslogs = await handler({ Records: [] }, context);
console.log(JSON.stringify(results));
`;

describe('packed package: alakai-otel/lambda for a subscription filter', () => {
  const app = consumerApp();
  let collector: OtlpReceiver;
  beforeAll(async () => {
    collector = await startOtlpReceiver('ok');
  });
  afterAll(() => collector.close());

  for (const flavour of ['esm', 'cjs'] as const) {
    it(`exports the summary events of an awslogs payload before it returns, and counts bad payloads (${flavour})`, async () => {
      app.write('lambda/lines.json', JSON.stringify(coreLines));
      const script =
        flavour === 'esm'
          ? app.write('lambda/invoke.mjs', `import { handler } from 'alakai-otel/lambda';\n${SCRIPT_BODY}`)
          : app.write(
              'lambda/invoke-cjs.mjs',
              `import { createRequire } from 'node:module';\nconst { handler } = createRequire(import.meta.url)('alakai-otel/lambda');\n${SCRIPT_BODY}`,
            );
      const before = collector.acceptedSpans().length;
      const result = await app.run(script, { env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url } });
      expect(result.code, result.stderr).toBe(0);
      const r = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, Record<string, unknown>>;
      expect(r['data']).toMatchObject({
        payload: 'data',
        logEvents: coreLines.length + 3,
        summaryEvents: summaries.length,
        spansExported: summaries.length,
        spansFailed: 0,
        // A summary line that is not JSON is refused and counted; other lines of the group are not ours.
        rejected: { not_json: 1 },
      });
      expect(r['control']).toMatchObject({ payload: 'control', logEvents: 0, spansExported: 0 });
      expect(r['notBase64']).toMatchObject({ payload: 'rejected', rejected: { bad_base64: 1 } });
      expect(r['truncated']).toMatchObject({ payload: 'rejected', rejected: { bad_gzip: 1 } });
      expect(r['bomb']).toMatchObject({ payload: 'rejected', rejected: { payload_too_large: 1 } });
      expect(r['badEnvelope']).toMatchObject({ payload: 'rejected', rejected: { bad_envelope: 1 } });
      expect(r['noAwslogs']).toMatchObject({ payload: 'rejected', rejected: { no_awslogs_data: 1 } });
      // Said once per reason on stderr, one line each.
      for (const reason of ['bad_base64', 'bad_gzip', 'payload_too_large', 'bad_envelope', 'no_awslogs_data'])
        expect(result.stderr.split('\n').filter((l) => l.includes(`(${reason})`))).toHaveLength(1);
      // The spans were at the receiver when the invocation returned (the process did nothing after).
      const arrived = collector.acceptedSpans().slice(before);
      expect(arrived).toHaveLength(summaries.length);
      const traceIds = new Set(
        summaries.map((l) => {
          const id = toOtelTraceId((JSON.parse(l) as { trace_id: string }).trace_id);
          return id.ok ? id.traceId : '';
        }),
      );
      expect(new Set(arrived.map((s) => s.traceId))).toEqual(traceIds);
    });
  }

  it('signs for X-Ray with ALAKAI_SIGV4=xray, as the SDK does, and the signed request is accepted', async () => {
    const xray = await startOtlpReceiver('ok', {
      xray: { region: 'us-west-2', secrets: { AKIDLAMBDA: 'lambda-secret' } },
    });
    try {
      // X-Ray takes no span older than 14 days: the line is re-dated to now.
      const line = JSON.stringify({ ...(JSON.parse(summaries[0]!) as object), time: new Date().toISOString() });
      app.write('lambda/xray-lines.json', JSON.stringify([line]));
      const script = app.write(
        'lambda/xray.mjs',
        `import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { handler } from 'alakai-otel/lambda';
const lines = JSON.parse(readFileSync(new URL('./xray-lines.json', import.meta.url), 'utf8'));
const envelope = { messageType: 'DATA_MESSAGE', logGroup: '/ecs/alakai-core', logStream: 's', logEvents: lines.map((message, i) => ({ id: String(i), timestamp: Date.now(), message })) };
console.log(JSON.stringify(await handler({ awslogs: { data: gzipSync(JSON.stringify(envelope)).toString('base64') } }, { getRemainingTimeInMillis: () => 30_000 })));
`,
      );
      const result = await app.run(script, {
        env: {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: xray.url,
          ALAKAI_SIGV4: 'xray',
          AWS_REGION: 'us-west-2',
          AWS_ACCESS_KEY_ID: 'AKIDLAMBDA',
          AWS_SECRET_ACCESS_KEY: 'lambda-secret',
          AWS_CONFIG_FILE: '/nonexistent/config',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      });
      expect(result.code, result.stderr).toBe(0);
      const r = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
      expect(r).toMatchObject({ summaryEvents: 1, spansExported: 1, spansFailed: 0 });
      expect(xray.xrayAnswers().map((a) => [a.status, a.accessKeyId, a.spans])).toEqual([[200, 'AKIDLAMBDA', 1]]);
    } finally {
      await xray.close();
    }
  });

  it('with no endpoint configured, says so once and counts the spans as not exported', async () => {
    app.write('lambda/lines.json', JSON.stringify(coreLines));
    const script = app.write('lambda/no-endpoint.mjs', `import { handler } from 'alakai-otel/lambda';\n${SCRIPT_BODY}`);
    const result = await app.run(script);
    expect(result.code, result.stderr).toBe(0);
    const r = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, Record<string, unknown>>;
    expect(r['data']).toMatchObject({ spansExported: 0, spansFailed: summaries.length });
    expect(result.stderr.split('\n').filter((l) => l.includes('no OTLP endpoint'))).toHaveLength(1);
  });
});

/**
 * Partial rollout keeps the join key (issue 11, item 1), from the packed package. An upstream
 * that is not instrumented yet hands over only the guide's `trace_id`: as an SQS message
 * attribute and as a field of the Redis payload, built by hand the way such a service does. The
 * instrumented consumer follows docs/sdk.md (extract*Context, then runSlice({ parent: context,
 * traceId })): its lines carry that trace_id, its spans (at a real OTLP/HTTP receiver) that
 * trace id's 32 hex digits, as root slices with no parent.
 *
 * With the peers up (ALAKAI_PEERS_ENV), the hand-overs go through a real SQS queue (moto) and a
 * real Redis list; without them, the consumer gets the same message and payload as the JSON text
 * a receive would give it, which is also what users pass.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envFilePath, loadPeersEnv, peersChildEnv } from '../e2e/harness/peers-env.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/fake-otlp-receiver.js';
import { consumerApp } from './harness/app.js';

const TRACE_ID = '5b0e2f3a-8c1d-4e7f-9a2b-3c4d5e6f7a8b';
const OTHER_TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const peersUp = existsSync(envFilePath());

/** stderr lines that are ours or an error (the AWS SDK's Node-version notice is neither; issue 11 item 10 owns it). */
function problems(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /alakai-otel|Error|error/.test(l));
}

/** The upstream: no alakai-otel at all, only the guide's trace_id in what it hands over. */
const UPSTREAM = `import { writeFileSync } from 'node:fs';
const [mode, out] = process.argv.slice(2);
const traceId = process.env.UPSTREAM_TRACE_ID;
const sqsAttributes = { trace_id: { DataType: 'String', StringValue: traceId } };
const payload = { task_id: 'T-7', repo: 'org/repo', trace_id: traceId };
if (process.env.UPSTREAM_TRACEPARENT) payload.traceparent = process.env.UPSTREAM_TRACEPARENT;
if (mode === 'files') {
  writeFileSync(out, JSON.stringify({ sqsMessage: { MessageId: 'm-1', Body: '{"task_id":"T-7"}', MessageAttributes: sqsAttributes }, redisText: JSON.stringify(payload) }));
} else {
  const { SQSClient, CreateQueueCommand, SendMessageCommand } = await import('@aws-sdk/client-sqs');
  const { createClient } = await import('redis');
  const sqs = new SQSClient({});
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: process.env.QUEUE }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"task_id":"T-7"}', MessageAttributes: sqsAttributes }));
  const redis = createClient({ url: process.env.REDIS_URL });
  await redis.connect();
  await redis.lPush(process.env.REDIS_KEY, JSON.stringify(payload));
  await redis.quit();
}
`;

/** The instrumented consumer: orchestrator slice from the SQS message, worker slice from the Redis payload. */
const CONSUMER = `import { readFileSync } from 'node:fs';
import pino from 'pino';
import { SpanKind } from '@opentelemetry/api';
import { setupAlakaiTracing, extractSqsContext, extractRedisContext } from 'alakai-otel';
const [mode, input] = process.argv.slice(2);
let sqsMessage, redisText;
if (mode === 'files') {
  ({ sqsMessage, redisText } = JSON.parse(readFileSync(input, 'utf8')));
} else {
  const { SQSClient, GetQueueUrlCommand, ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
  const { createClient } = await import('redis');
  const sqs = new SQSClient({});
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: process.env.QUEUE }));
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 5 }));
  sqsMessage = received.Messages[0];
  const redis = createClient({ url: process.env.REDIS_URL });
  await redis.connect();
  redisText = await redis.rPop(process.env.REDIS_KEY);
  await redis.quit();
}
const logger = pino();
const orchestrator = setupAlakaiTracing({ service: 'alakai-orchestrator', component: 'orchestrator', logger, handleSignals: false });
const fromSqs = extractSqsContext(sqsMessage);
await orchestrator.runSlice({ event: 'slack.implementation', parent: fromSqs.context, traceId: fromSqs.traceId, kind: SpanKind.CONSUMER, steps: ['launch_task'] },
  (slice) => slice.step('launch_task', () => undefined));
await orchestrator.shutdown();
const worker = setupAlakaiTracing({ service: 'alakai-worker-implementation', component: 'worker', logger, handleSignals: false });
const fromRedis = extractRedisContext(redisText);
await worker.runSlice({ event: 'coding.implementation', parent: fromRedis.context, traceId: fromRedis.traceId, kind: SpanKind.CONSUMER, steps: ['clone'] },
  (slice) => slice.step('clone', () => undefined));
await worker.shutdown();
`;

describe('packed package: a hand-over from an upstream that sends only trace_id', () => {
  const app = consumerApp();
  let collector: OtlpReceiver;
  beforeAll(async () => {
    collector = await startOtlpReceiver('ok');
  });
  afterAll(() => collector.close());

  async function handOver(
    name: string,
    env: Record<string, string>,
  ): Promise<{ lines: Record<string, unknown>[]; stdout: string }> {
    const upstream = app.write(`join-key/${name}-upstream.mjs`, UPSTREAM);
    const consumer = app.write(`join-key/${name}-consumer.mjs`, CONSUMER);
    const handed = `${app.dir}/join-key/${name}-handover.json`;
    const peerEnv: Record<string, string> = peersUp
      ? {
          ...peersChildEnv(loadPeersEnv()),
          REDIS_URL: loadPeersEnv().redisUrl,
          QUEUE: `join-key-${name}-${process.pid}`,
          REDIS_KEY: `join-key:${name}:${process.pid}`,
        }
      : {};
    const args = peersUp ? ['peers'] : ['files', handed];
    const sent = await app.run(upstream, { args, env: { ...peerEnv, ...env } });
    expect(problems(sent.stderr)).toEqual([]);
    expect(sent.code).toBe(0);
    const result = await app.run(consumer, {
      args,
      env: { ...peerEnv, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url },
    });
    expect(problems(result.stderr)).toEqual([]);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { lines, stdout: result.stdout };
  }

  it('SQS attribute and Redis field with only trace_id: both lines write it, both slices are roots in its trace', async () => {
    const { lines, stdout } = await handOver('only-trace-id', { UPSTREAM_TRACE_ID: TRACE_ID });
    expect(lines.map((l) => l.msg)).toEqual([
      '[event] slack.implementation -> success',
      '[event] coding.implementation -> success',
    ]);
    for (const line of lines) {
      expect(line.trace_id).toBe(TRACE_ID);
      expect((line.context as Record<string, unknown>).trace_id).toBe(TRACE_ID);
      expect(line.parent_span_id).toBeUndefined();
    }
    const hex = TRACE_ID.replaceAll('-', '');
    const slices = collector.acceptedSpans().filter((s) => lines.some((l) => l.span_id === s.spanId));
    expect(slices.map((s) => s.name).sort()).toEqual(['coding.implementation', 'slack.implementation']);
    for (const span of slices) {
      expect(span.traceId).toBe(hex);
      expect(span.parentSpanId).toBeUndefined();
    }
    // The steps ride in the same trace, under their slice.
    const steps = collector.acceptedSpans().filter((s) => s.name === 'launch_task' || s.name === 'clone');
    expect(steps.map((s) => s.traceId)).toEqual([hex, hex]);
    expect(stdout).not.toMatch(/"trace_id":"(?!5b0e2f3a)/);
  });

  it('a traceparent of another trace beside trace_id: the line keeps trace_id, the slice is a root in its trace', async () => {
    const { lines } = await handOver('disagree', {
      UPSTREAM_TRACE_ID: TRACE_ID,
      UPSTREAM_TRACEPARENT: OTHER_TRACEPARENT,
    });
    const worker = lines.find((l) => l.event === 'coding.implementation')!;
    expect(worker.trace_id).toBe(TRACE_ID);
    expect(worker.parent_span_id).toBeUndefined();
    const span = collector.acceptedSpans().find((s) => s.spanId === worker.span_id)!;
    expect(span.traceId).toBe(TRACE_ID.replaceAll('-', ''));
    expect(span.parentSpanId).toBeUndefined();
    expect(span.attributes['alakai.handover.traceparent']).toBe(OTHER_TRACEPARENT);
  });
});

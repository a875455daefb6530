import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { extractRedisContext, injectRedisPayload } from '../../../src/sdk/propagation/redis.js';
import { withProducerSpan } from '../../../src/sdk/propagation/producer.js';
import {
  extractSqsContext,
  injectSqsAttributes,
  type SqsMessageAttributeValue,
} from '../../../src/sdk/propagation/sqs.js';
import { startFakeSqs, type FakeSqs } from './fake-sqs.js';
import { DELIVERY_ID, sdkFixture, type SdkFixture } from './sdk-fixture.js';

const open: Array<SdkFixture | FakeSqs> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await ('tracing' in o ? o.tracing.shutdown() : o.close());
});

function track<T extends SdkFixture | FakeSqs>(o: T): T {
  open.push(o);
  return o;
}

describe("propagation across the guide's two hops", () => {
  it('core → SQS (real client, real wire shape) → orchestrator → Redis payload JSON → worker forms one trace', async () => {
    const sqs = track(await startFakeSqs());
    const core = track(sdkFixture({}, 'core'));
    const orchestrator = track(sdkFixture({}, 'orchestrator'));
    const worker = track(sdkFixture({}, 'worker'));

    await core.tracing.runSlice(
      { event: 'slack.implementation', traceId: DELIVERY_ID, kind: SpanKind.SERVER, steps: ['enqueue'] },
      (slice) =>
        slice.step('enqueue', () =>
          withProducerSpan(core.tracing.tracer, { system: 'aws_sqs', destination: 'alakai-orchestrator' }, (ctx) =>
            sqs.client.send(
              new SendMessageCommand({
                QueueUrl: sqs.queueUrl,
                MessageBody: JSON.stringify({ task_id: 't-1' }),
                MessageAttributes: injectSqsAttributes({ source: { DataType: 'String', StringValue: 'slack' } }, ctx),
              }),
            ),
          ),
        ),
    );
    // On the wire: String attributes in the AWS SDK format, the caller's own attribute kept.
    const sent = sqs.sentBodies[0]!.MessageAttributes as Record<string, { DataType: string; StringValue: string }>;
    expect(sent.source).toEqual({ DataType: 'String', StringValue: 'slack' });
    expect(sent.trace_id).toEqual({ DataType: 'String', StringValue: DELIVERY_ID });
    expect(sent.traceparent!.StringValue).toMatch(
      new RegExp(`^00-${DELIVERY_ID.replaceAll('-', '')}-[0-9a-f]{16}-01$`),
    );

    const received = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl, MessageAttributeNames: ['All'] }),
    );
    const message = received.Messages![0]!;
    const fromSqs = extractSqsContext(message);
    expect(fromSqs.traceId).toBe(DELIVERY_ID);

    let redisText = '';
    await orchestrator.tracing.runSlice(
      {
        event: 'slack.implementation',
        parent: fromSqs.context,
        traceId: fromSqs.traceId,
        kind: SpanKind.CONSUMER,
        steps: ['launch_task'],
      },
      (slice) =>
        slice.step('launch_task', () =>
          withProducerSpan(orchestrator.tracing.tracer, { system: 'redis', destination: 'alakai:tasks' }, (ctx) => {
            redisText = JSON.stringify(injectRedisPayload({ task_id: 't-1', repo: 'org/repo' }, ctx));
          }),
        ),
    );
    const payload = JSON.parse(redisText) as Record<string, unknown>;
    expect(payload).toMatchObject({ task_id: 't-1', repo: 'org/repo', trace_id: DELIVERY_ID });

    const fromRedis = extractRedisContext(redisText);
    expect(fromRedis.traceId).toBe(DELIVERY_ID);
    await worker.tracing.runSlice(
      { event: 'slack.implementation', parent: fromRedis.context, kind: SpanKind.CONSUMER },
      (slice) => {
        expect(slice.traceId).toBe(DELIVERY_ID);
      },
    );

    const lines = [core, orchestrator, worker].map((f) => f.summaryLines()[0]!);
    expect(lines.map((l) => l.trace_id)).toEqual([DELIVERY_ID, DELIVERY_ID, DELIVERY_ID]);
    expect(lines.map((l) => (l.context as { component: string }).component)).toEqual([
      'core',
      'orchestrator',
      'worker',
    ]);

    // One tree: core slice → enqueue step → send (PRODUCER) → orchestrator slice (CONSUMER) → … → worker slice.
    const spans = [...(await core.exported()), ...(await orchestrator.exported()), ...(await worker.exported())];
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([DELIVERY_ID.replaceAll('-', '')]));
    const roots = spans.filter((s) => !s.parentSpanContext);
    expect(roots.map((s) => s.name)).toEqual(['slack.implementation']);
    expect(roots[0]!.resource.attributes['alakai.component']).toBe('core');
    const chain = (s: (typeof spans)[number]): string[] => {
      const out: string[] = [];
      for (
        let cur: typeof s | undefined = s;
        cur;
        cur = cur.parentSpanContext ? byId.get(cur.parentSpanContext.spanId) : undefined
      ) {
        out.push(`${cur.name}:${SpanKind[cur.kind]}`);
      }
      return out.reverse();
    };
    const workerSlice = spans.find((s) => s.resource.attributes['alakai.component'] === 'worker')!;
    expect(chain(workerSlice)).toEqual([
      'slack.implementation:SERVER',
      'enqueue:INTERNAL',
      'send alakai-orchestrator:PRODUCER',
      'slack.implementation:CONSUMER',
      'launch_task:INTERNAL',
      'send alakai:tasks:PRODUCER',
      'slack.implementation:CONSUMER',
    ]);
    const send = spans.find((s) => s.name === 'send alakai-orchestrator')!;
    expect(send.attributes).toMatchObject({
      'messaging.system': 'aws_sqs',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'alakai-orchestrator',
    });
  });

  it("respects the 10-attribute limit and never replaces the caller's attributes", () => {
    const span = trace.wrapSpanContext({
      traceId: DELIVERY_ID.replaceAll('-', ''),
      spanId: '1234567890abcdef',
      traceFlags: 1,
    });
    const ctx = trace.setSpan(ROOT_CONTEXT, span);
    const attrs = (n: number): Record<string, SqsMessageAttributeValue> =>
      Object.fromEntries(
        Array.from({ length: n }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: String(i) }]),
      );

    expect(Object.keys(injectSqsAttributes(attrs(8), ctx)).sort()).toEqual(
      [...Object.keys(attrs(8)), 'trace_id', 'traceparent'].sort(),
    );
    const nine = injectSqsAttributes(attrs(9), ctx);
    expect(Object.keys(nine)).toHaveLength(10);
    expect(nine.traceparent).toBeDefined(); // traceparent first when there is room for one
    expect(nine.trace_id).toBeUndefined();
    expect(injectSqsAttributes(attrs(10), ctx)).toEqual(attrs(10));
    const own = { trace_id: { DataType: 'String', StringValue: 'callers-own-id' } };
    expect(injectSqsAttributes(own, ctx).trace_id).toEqual(own.trace_id);
    expect(injectSqsAttributes(undefined, ROOT_CONTEXT)).toEqual({});
  });

  it('extracting from hostile or missing carriers yields the root context', () => {
    for (const payload of [
      undefined,
      null,
      42,
      'not json',
      '[]',
      '{"traceparent":"00-zz-zz-01"}',
      { traceparent: 7 },
      JSON.parse('{"__proto__":{"traceparent":"x"}}'),
    ]) {
      const { context: ctx, traceId } = extractRedisContext(payload);
      expect(trace.getSpanContext(ctx)).toBeUndefined();
      expect(traceId).toBeUndefined();
    }
    expect(trace.getSpanContext(extractSqsContext({}).context)).toBeUndefined();
    expect(
      trace.getSpanContext(
        extractSqsContext({
          MessageAttributes: { traceparent: { DataType: 'Binary', BinaryValue: new Uint8Array(1) } },
        }).context,
      ),
    ).toBeUndefined();
    expect(({} as Record<string, unknown>).traceparent).toBeUndefined();
    expect(context.active()).toBe(ROOT_CONTEXT);
  });
});

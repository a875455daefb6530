/**
 * Partial rollout (issue 11, item 1): an upstream that is not instrumented yet hands over only the
 * guide's `trace_id`. extract*Context + runSlice({ parent: context, traceId }), as docs/sdk.md
 * shows, must write that id on the line and make the slice a root in its trace; a traceparent of
 * another trace loses to the carried trace_id; and the backfill mapping rebuilds each line's spans
 * exactly.
 */
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { summaryEventToSpans } from '../../../src/contract/event-to-spans.js';
import { parseLogLine } from '../../../src/contract/parse.js';
import { toOtelTraceId } from '../../../src/contract/trace-id.js';
import { extractRedisContext, injectRedisPayload } from '../../../src/sdk/propagation/redis.js';
import { extractSqsContext } from '../../../src/sdk/propagation/sqs.js';
import { toSpanRecord } from '../../../src/sdk/readable-span.js';
import { ALAKAI_HANDOVER_TRACEPARENT } from '../../../src/sdk/slice.js';
import { DELIVERY_ID, sdkFixture, type SdkFixture } from './sdk-fixture.js';

let fixture: SdkFixture | undefined;
afterEach(async () => {
  await fixture?.tracing.shutdown();
  fixture = undefined;
});

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The one summary line's raw text, and the slice span exported for it. */
async function onlySlice(f: SdkFixture): Promise<{ line: Record<string, unknown>; text: string; span: ReadableSpan }> {
  const texts = f.raw
    .join('')
    .split('\n')
    .filter((l) => l.includes('"[event] '));
  expect(texts).toHaveLength(1);
  const spans = (await f.exported()).filter((s) => typeof s.attributes['alakai.event'] === 'string');
  expect(spans).toHaveLength(1);
  return { line: JSON.parse(texts[0]!) as Record<string, unknown>, text: texts[0]!, span: spans[0]! };
}

/** The backfill's mapping of the written line gives back exactly the exported spans. */
async function expectRebuiltExactly(f: SdkFixture, text: string): Promise<void> {
  const parsed = parseLogLine(text);
  if (parsed.kind !== 'summary') throw new Error(JSON.stringify(parsed));
  const byId = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);
  const exported = (await f.exported()).map(toSpanRecord).filter((s) => s.scope.name === 'alakai-otel');
  expect(summaryEventToSpans(parsed.event).sort(byId)).toStrictEqual(exported.sort(byId));
}

describe('a hand-over that carries only trace_id (upstream not instrumented)', () => {
  it('Redis payload JSON with only trace_id: the line writes it, the span is a root in its trace', async () => {
    fixture = sdkFixture({}, 'worker');
    const carried = extractRedisContext(JSON.stringify({ trace_id: DELIVERY_ID, task_id: 't-1' }));
    expect(carried.context).toBe(ROOT_CONTEXT);
    await fixture.tracing.runSlice(
      {
        event: 'coding.implementation',
        parent: carried.context,
        traceId: carried.traceId,
        kind: SpanKind.CONSUMER,
        steps: ['clone'],
      },
      (slice) => slice.step('clone', () => undefined),
    );
    const { line, text, span } = await onlySlice(fixture);
    expect(line.trace_id).toBe(DELIVERY_ID);
    expect((line.context as Record<string, unknown>).trace_id).toBe(DELIVERY_ID);
    expect(span.spanContext().traceId).toBe(DELIVERY_ID.replaceAll('-', ''));
    expect(span.parentSpanContext).toBeUndefined();
    expect(line.parent_span_id).toBeUndefined();
    await expectRebuiltExactly(fixture, text);
  });

  it('SQS message attributes with only trace_id: the same', async () => {
    fixture = sdkFixture({}, 'orchestrator');
    const carried = extractSqsContext({
      MessageAttributes: { trace_id: { DataType: 'String', StringValue: DELIVERY_ID } },
    });
    await fixture.tracing.runSlice(
      { event: 'slack.implementation', parent: carried.context, traceId: carried.traceId, kind: SpanKind.CONSUMER },
      () => undefined,
    );
    const { line, span } = await onlySlice(fixture);
    expect(line.trace_id).toBe(DELIVERY_ID);
    expect(span.spanContext().traceId).toBe(DELIVERY_ID.replaceAll('-', ''));
    expect(span.parentSpanContext).toBeUndefined();
  });

  it('a non-UUID trace id follows the contract: derived trace id, the original on the line and in alakai.trace_id', async () => {
    fixture = sdkFixture({}, 'worker');
    const carried = extractRedisContext({ trace_id: 'legacy-run-42' });
    await fixture.tracing.runSlice(
      { event: 'coding.implementation', parent: carried.context, traceId: carried.traceId },
      () => undefined,
    );
    const { line, text, span } = await onlySlice(fixture);
    const mapped = toOtelTraceId('legacy-run-42');
    if (!mapped.ok) throw new Error('unmappable');
    expect(line.trace_id).toBe('legacy-run-42');
    expect(span.spanContext().traceId).toBe(mapped.traceId);
    expect(span.attributes['alakai.trace_id']).toBe('legacy-run-42');
    expect(span.parentSpanContext).toBeUndefined();
    await expectRebuiltExactly(fixture, text);
  });

  it("a hand-over with neither field gives a root slice with a fresh UUIDv4, not the active span's trace", async () => {
    fixture = sdkFixture({}, 'worker');
    const carried = extractRedisContext('{"task_id":"t-1"}');
    expect(carried.traceId).toBeUndefined();
    await fixture.tracing.runSlice({ event: 'outer', traceId: DELIVERY_ID }, () =>
      fixture!.tracing.runSlice(
        { event: 'coding.implementation', parent: carried.context, traceId: carried.traceId },
        () => undefined,
      ),
    );
    const lines = fixture.summaryLines();
    const inner = lines.find((l) => l.event === 'coding.implementation')!;
    expect(inner.trace_id).toMatch(UUID_V4);
    expect(inner.trace_id).not.toBe(DELIVERY_ID);
    expect(inner.parent_span_id).toBeUndefined();
  });
});

describe('traceparent and trace_id disagree', () => {
  const OTHER_TRACE = '0af7651916cd43dd8448eb211c80319c';
  const UPSTREAM = `00-${OTHER_TRACE}-b7ad6b7169203331-01`;

  it("the line keeps the carrier's trace_id; the slice is a root in its trace, the ignored traceparent kept as an attribute; rebuilt exactly", async () => {
    fixture = sdkFixture({}, 'worker');
    const carried = extractRedisContext(JSON.stringify({ trace_id: DELIVERY_ID, traceparent: UPSTREAM }));
    expect(carried.traceId).toBe(DELIVERY_ID);
    await fixture.tracing.runSlice(
      {
        event: 'coding.implementation',
        parent: carried.context,
        traceId: carried.traceId,
        kind: SpanKind.CONSUMER,
        steps: ['clone'],
      },
      (slice) => slice.step('clone', () => undefined),
    );
    const { line, text, span } = await onlySlice(fixture);
    expect(line.trace_id).toBe(DELIVERY_ID);
    expect(span.spanContext().traceId).toBe(DELIVERY_ID.replaceAll('-', ''));
    expect(span.parentSpanContext).toBeUndefined();
    expect(line.parent_span_id).toBeUndefined();
    expect(span.attributes[ALAKAI_HANDOVER_TRACEPARENT]).toBe(UPSTREAM);
    await expectRebuiltExactly(fixture, text);
  });

  it("when they agree, the slice stays the child of the traceparent's span (as before)", async () => {
    fixture = sdkFixture({}, 'worker');
    const upstream = `00-${DELIVERY_ID.replaceAll('-', '')}-b7ad6b7169203331-01`;
    const carried = extractRedisContext({ trace_id: DELIVERY_ID, traceparent: upstream });
    await fixture.tracing.runSlice(
      { event: 'coding.implementation', parent: carried.context, traceId: carried.traceId },
      () => undefined,
    );
    const { line, span } = await onlySlice(fixture);
    expect(line.trace_id).toBe(DELIVERY_ID);
    expect(line.parent_span_id).toBe('b7ad6b7169203331');
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span.attributes[ALAKAI_HANDOVER_TRACEPARENT]).toBeUndefined();
  });

  it("the SDK's own hop (injectRedisPayload with a trace_id already in the payload) follows the same rule", async () => {
    fixture = sdkFixture({}, 'orchestrator');
    let text = '';
    await fixture.tracing.runSlice(
      { event: 'slack.implementation', traceId: '11111111-2222-4333-8444-555555555555' },
      (slice) => {
        text = JSON.stringify(injectRedisPayload({ trace_id: DELIVERY_ID }, slice.context));
      },
    );
    const worker = sdkFixture({}, 'worker');
    try {
      const carried = extractRedisContext(text);
      await worker.tracing.runSlice(
        { event: 'coding.implementation', parent: carried.context, traceId: carried.traceId },
        () => undefined,
      );
      const { line, span } = await onlySlice(worker);
      expect(line.trace_id).toBe(DELIVERY_ID);
      expect(span.parentSpanContext).toBeUndefined();
      expect(String(span.attributes[ALAKAI_HANDOVER_TRACEPARENT])).toMatch(
        /^00-11111111222243338444555555555555-[0-9a-f]{16}-01$/,
      );
    } finally {
      await worker.tracing.shutdown();
    }
  });
});

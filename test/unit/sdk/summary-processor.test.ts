import { ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseLogLine } from '../../../src/contract/parse.js';
import { summaryEventToSpans } from '../../../src/contract/event-to-spans.js';
import { toSpanRecord } from '../../../src/sdk/readable-span.js';
import { samplerFromEnv } from '../../../src/sdk/sampler.js';
import { StatsCounter } from '../../../src/sdk/stats.js';
import { SummaryEventProcessor } from '../../../src/sdk/summary-processor.js';
import { DELIVERY_ID, FAKE_GITHUB_TOKEN, lineSink, sdkFixture, type SdkFixture } from './sdk-fixture.js';

const schema = JSON.parse(readFileSync(new URL('../../../schema/summary-event.schema.json', import.meta.url), 'utf8'));
const validateSchema = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

class GitHubPushError extends Error {}

let fixture: SdkFixture | undefined;
afterEach(async () => {
  await fixture?.tracing.shutdown();
  fixture = undefined;
});

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('SummaryEventProcessor: the summary line', () => {
  it('writes exactly one line per slice, with the guide fields, level 30, ISO time and no duplicate keys', async () => {
    fixture = sdkFixture();
    await fixture.tracing.runSlice(
      {
        event: 'slack.implementation',
        traceId: DELIVERY_ID,
        kind: SpanKind.SERVER,
        steps: ['verify_signature', 'enqueue'],
        fields: {
          repo: { full_name: 'org/repo', base_ref: 'main' },
          task: { task_id: 't-1', task_type: 'impl', source: 'slack_implement' },
        },
      },
      async (slice) => {
        await slice.step('verify_signature', () => true);
        await slice.step('enqueue', async () => 'queued');
        slice.set({ slack: { user_id: 'U123' } });
      },
    );
    await fixture.tracing.forceFlush();
    expect(fixture.raw).toHaveLength(1);
    const text = fixture.raw[0]!;
    expect(text.endsWith('\n')).toBe(true);
    // pino adds level, time, msg and the bindings (service, component) itself: once each.
    for (const key of ['"level":', '"time":', '"msg":', '"service":', '"trace_id":"' + DELIVERY_ID + '","event"'])
      expect(occurrences(text, key)).toBe(1);
    const line = JSON.parse(text) as Record<string, unknown>;
    expect(validateSchema(line), JSON.stringify(validateSchema.errors)).toBe(true);
    expect(line).toMatchObject({
      level: 30,
      service: 'alakai-core',
      component: 'core',
      trace_id: DELIVERY_ID,
      event: 'slack.implementation',
      outcome: 'success',
      final_status: 'completed',
      context: { trace_id: DELIVERY_ID, component: 'core' },
      steps: { verify_signature: 'ok', enqueue: 'ok' },
      error: null,
      repo: { full_name: 'org/repo', base_ref: 'main' },
      task: { task_id: 't-1', task_type: 'impl', source: 'slack_implement' },
      slack: { user_id: 'U123' },
      msg: '[event] slack.implementation -> success',
    });
    expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(typeof line.duration_ms).toBe('number');
    expect(parseLogLine(text.trimEnd()).kind).toBe('summary');
  });

  it('reports steps as ok, error, and "-" for declared steps that never ran', async () => {
    fixture = sdkFixture();
    await fixture.tracing.runSlice(
      { event: 'coding.implementation', steps: ['clone', 'run_agent', 'open_pr'] },
      async (slice) => {
        await slice.step('clone', () => undefined);
        await slice.step('run_agent', () => Promise.reject(new Error('agent crashed'))).catch(() => undefined);
        slice.finish('error', 'agent_failed', new Error('agent crashed'));
      },
    );
    const [line] = fixture.summaryLines();
    expect(line!.steps).toEqual({ clone: 'ok', run_agent: 'error', open_pr: '-' });
    expect(line).toMatchObject({
      outcome: 'error',
      final_status: 'agent_failed',
      error: { type: 'Error', message: 'agent crashed' },
    });
    expect(fixture.summaryLines()).toHaveLength(1);
  });

  it('turns a thrown error into outcome error with the class name and a sanitized message, and rethrows', async () => {
    fixture = sdkFixture();
    const thrown = new GitHubPushError(
      `push to https://x-access-token:${FAKE_GITHUB_TOKEN}@github.com/org/repo failed (token ${FAKE_GITHUB_TOKEN})`,
    );
    await expect(
      fixture.tracing.runSlice({ event: 'coding.implementation', steps: ['push'] }, (slice) =>
        slice.step('push', () => {
          throw thrown;
        }),
      ),
    ).rejects.toBe(thrown);
    const [line] = fixture.summaryLines();
    expect(line).toMatchObject({
      outcome: 'error',
      final_status: 'failed',
      steps: { push: 'error' },
      error: { type: 'GitHubPushError' },
    });
    const message = (line!.error as { message: string }).message;
    expect(message).toContain('push to https://');
    expect(message).not.toContain(FAKE_GITHUB_TOKEN);
    expect(fixture.raw.join('')).not.toContain(FAKE_GITHUB_TOKEN);
    // The exported spans carry no token either: status messages and exception events are sanitized.
    const exported = await fixture.exported();
    expect(exported).toHaveLength(2);
    expect(
      JSON.stringify(exported.map((s) => ({ status: s.status, events: s.events, attributes: s.attributes }))),
    ).not.toContain(FAKE_GITHUB_TOKEN);
  });

  it('a slice finished explicitly keeps its outcome even when fn returns normally', async () => {
    fixture = sdkFixture();
    await fixture.tracing.runSlice({ event: 'slack.prompt' }, (slice) => {
      slice.finish('skipped', 'duplicate_delivery');
      slice.finish('success', 'ignored-second-call');
    });
    expect(fixture.summaryLines()[0]).toMatchObject({
      outcome: 'skipped',
      final_status: 'duplicate_delivery',
      error: null,
      msg: '[event] slack.prompt -> skipped',
    });
  });

  it('gives a root slice the UUID hex as its OTel trace id and no parent span', async () => {
    fixture = sdkFixture();
    const seen = await fixture.tracing.runSlice(
      { event: 'coding.prompt', traceId: DELIVERY_ID },
      (slice) => slice.traceId,
    );
    expect(seen).toBe(DELIVERY_ID);
    const [span] = await fixture.exported();
    expect(span!.spanContext().traceId).toBe(DELIVERY_ID.replaceAll('-', ''));
    expect(span!.parentSpanContext).toBeUndefined();
    const line = fixture.summaryLines()[0]!;
    expect(line.parent_span_id).toBeUndefined();
    expect(line.span_id).toBe(span!.spanContext().spanId);
  });

  it('keeps a non-UUID trace id on the line and maps it deterministically', async () => {
    fixture = sdkFixture();
    await fixture.tracing.runSlice({ event: 'slack.clickup.ask', traceId: 'legacy-id-42' }, () => undefined);
    await fixture.tracing.runSlice({ event: 'slack.clickup.ask', traceId: 'legacy-id-42' }, () => undefined);
    const lines = fixture.summaryLines();
    expect(lines.map((l) => l.trace_id)).toEqual(['legacy-id-42', 'legacy-id-42']);
    const spans = await fixture.exported();
    expect(spans[0]!.spanContext().traceId).toBe(spans[1]!.spanContext().traceId);
  });

  it('nests a slice started inside another slice under the active span', async () => {
    fixture = sdkFixture();
    await fixture.tracing.runSlice({ event: 'outer', traceId: DELIVERY_ID }, () =>
      fixture!.tracing.runSlice({ event: 'inner' }, () => undefined),
    );
    const [inner, outer] = fixture.summaryLines();
    expect(inner!.trace_id).toBe(DELIVERY_ID);
    expect(inner!.parent_span_id).toBe(outer!.span_id);
  });

  it('rebuilds the exported spans exactly from the summary line (the backfill mapping)', async () => {
    fixture = sdkFixture();
    await fixture.tracing.runSlice(
      {
        event: 'slack.implementation',
        traceId: DELIVERY_ID,
        steps: ['a', 'b'],
        fields: { pull_request: { number: 7 } },
      },
      async (slice) => {
        await slice.step('a', () => undefined);
        trace.getTracer('app').startSpan('db.query').end(); // a non-step descendant, parented by the active context
      },
    );
    const exported = (await fixture.exported()).map(toSpanRecord);
    const parsed = parseLogLine(fixture.raw[0]!.trimEnd());
    expect(parsed.kind).toBe('summary');
    if (parsed.kind !== 'summary') return;
    const rebuilt = summaryEventToSpans(parsed.event);
    const key = (s: { spanId: string }) => s.spanId;
    expect(rebuilt.sort((a, b) => key(a).localeCompare(key(b)))).toStrictEqual(
      exported.filter((s) => s.scope.name === 'alakai-otel').sort((a, b) => key(a).localeCompare(key(b))),
    );
  });
});

describe('sampling: logs for every slice, traces by sampling', () => {
  it('with OTEL_TRACES_SAMPLER=always_off every slice is logged and nothing is exported', async () => {
    const saved = process.env.OTEL_TRACES_SAMPLER;
    process.env.OTEL_TRACES_SAMPLER = 'always_off';
    try {
      fixture = sdkFixture({ sampler: samplerFromEnv() });
    } finally {
      if (saved === undefined) delete process.env.OTEL_TRACES_SAMPLER;
      else process.env.OTEL_TRACES_SAMPLER = saved;
    }
    for (let i = 0; i < 20; i++) {
      await fixture.tracing.runSlice({ event: 'slack.prompt', steps: ['parse'] }, (slice) =>
        slice.step('parse', () => i),
      );
    }
    const lines = fixture.summaryLines();
    expect(lines).toHaveLength(20);
    expect(lines.every((l) => (l.steps as Record<string, string>).parse === 'ok')).toBe(true);
    expect(await fixture.exported()).toHaveLength(0);
    expect(fixture.tracing.stats()).toMatchObject({ slicesLogged: 20, spansDropped: 0 });
  });

  it('traceidratio 0.5 exports some traces but logs all slices', async () => {
    fixture = sdkFixture({
      sampler: samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }),
    });
    for (let i = 0; i < 200; i++) await fixture.tracing.runSlice({ event: 'slack.prompt' }, () => undefined);
    expect(fixture.summaryLines()).toHaveLength(200);
    const exported = await fixture.exported();
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.length).toBeLessThan(200);
  });
});

describe('bounded state', () => {
  it('slices that never end do not grow the processor beyond its limits', async () => {
    const sink = lineSink();
    const processor = new SummaryEventProcessor(sink.logger, new StatsCounter(), {
      maxLiveSlices: 16,
      maxLiveSpans: 32,
    });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('test');
    const slices: Span[] = [];
    const children: Span[] = [];
    for (let i = 0; i < 500; i++) {
      const slice = tracer.startSpan('never.ends', { attributes: { 'alakai.event': 'never.ends' } }, ROOT_CONTEXT);
      slices.push(slice);
      children.push(tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, slice)));
    }
    expect(processor.liveCounts.slices).toBeLessThanOrEqual(16);
    expect(processor.liveCounts.spans).toBeLessThanOrEqual(32);
    expect(processor.counters.evictedSlices).toBe(500 - 16);
    // An evicted slice that finally ends still writes its line (without descendants). The oldest
    // slice is the first evicted; its child, evicted too, ends first and is not kept for it.
    const evicted = slices[0]!;
    children[0]!.end();
    evicted.end();
    // Ending it leaves the tracked slices as they were: it was no longer one of them.
    expect(processor.liveCounts.slices).toBe(16);
    const lines = sink.summaryLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event: 'never.ends', span_id: evicted.spanContext().spanId });
    expect(JSON.stringify(lines[0])).not.toContain('child');
    await provider.shutdown();
  });

  it('never throws into the service when the logger throws', async () => {
    const sink = lineSink();
    const broken = Object.create(sink.logger) as typeof sink.logger;
    broken.info = () => {
      throw new Error('disk full');
    };
    const processor = new SummaryEventProcessor(broken, new StatsCounter());
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const span = provider.getTracer('test').startSpan('x', { attributes: { 'alakai.event': 'x' } }, ROOT_CONTEXT);
    expect(() => span.end()).not.toThrow();
    await provider.shutdown();
  });
});

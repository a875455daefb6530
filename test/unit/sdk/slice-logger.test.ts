/**
 * Step-level lines carry the join key (issue 11, item 7): `slice.logger` and alakaiLogMixin()
 * write the same `trace_id` and `context` as the slice's summary line, so the guide's runbook
 * step 3 (`filter trace_id = "<id>"`) finds every line of the execution, and the backfill reads
 * them as step-level lines of that trace.
 */
import { context, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { count, memoryPino } from './memory-pino.js';
import { parseLogLine } from '../../../src/contract/parse.js';
import { alakaiLogMixin } from '../../../src/sdk/log-mixin.js';
import { DELIVERY_ID, sdkFixture, type SdkFixture } from './sdk-fixture.js';

let fixture: SdkFixture | undefined;
afterEach(async () => {
  await fixture?.tracing.shutdown();
  fixture = undefined;
});

const parse = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('slice.logger', () => {
  it("is a child of the service logger bound to the slice: the summary line's trace_id and context", async () => {
    fixture = sdkFixture({}, 'worker');
    await fixture.tracing.runSlice(
      { event: 'coding.implementation', traceId: DELIVERY_ID, steps: ['clone'] },
      async (slice) => {
        slice.logger.info('slice started');
        await slice.step('clone', async () => {
          await new Promise((r) => setTimeout(r, 1));
          slice.logger.warn({ repo: 'org/repo' }, 'cloning');
        });
      },
    );
    await fixture.tracing.forceFlush();
    const texts = fixture.raw
      .join('')
      .split('\n')
      .filter((l) => l !== '');
    expect(texts).toHaveLength(3);
    const summary = parse(texts[2]!);
    for (const text of texts.slice(0, 2)) {
      const line = parse(text);
      expect(line.trace_id).toBe(summary.trace_id);
      expect(line.context).toEqual(summary.context);
      expect(line).toMatchObject({ service: 'alakai-worker', component: 'worker' }); // the service logger's bindings
      for (const key of [
        '"trace_id":"' + DELIVERY_ID + '","context"',
        '"service":',
        '"component":"worker","',
        '"time":',
      ])
        expect(count(text, key)).toBe(1);
      const parsed = parseLogLine(text);
      expect(parsed.kind).toBe('log');
      if (parsed.kind === 'log') expect(parsed.log).toMatchObject({ trace_id: DELIVERY_ID, component: 'worker' });
    }
    expect(parse(texts[1]!)).toMatchObject({ level: 40, msg: 'cloning', repo: 'org/repo' });
  });

  it('writes a non-UUID trace id as the summary line does (the original text)', async () => {
    fixture = sdkFixture({}, 'core');
    await fixture.tracing.runSlice({ event: 'slack.prompt', traceId: 'legacy-id-7' }, (slice) =>
      slice.logger.info('x'),
    );
    await fixture.tracing.forceFlush();
    const [step, summary] = fixture.raw
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map(parse);
    expect(step!.trace_id).toBe('legacy-id-7');
    expect(summary!.trace_id).toBe('legacy-id-7');
    expect(step!.context).toEqual({ trace_id: 'legacy-id-7', component: 'core' });
  });

  it('binds nothing twice when the service logger already binds trace_id', async () => {
    const service = memoryPino({ base: { service: 'alakai-core', component: 'core', trace_id: 'request-1' } });
    fixture = sdkFixture({ logger: service.logger });
    await fixture.tracing.runSlice({ event: 'slack.prompt', traceId: DELIVERY_ID }, (slice) => slice.logger.info('x'));
    await fixture.tracing.forceFlush();
    const step = service.texts()[0]!;
    expect(count(step, '"trace_id":')).toBe(2); // the bound one, and context.trace_id
    expect(parse(step).context).toEqual({ trace_id: DELIVERY_ID, component: 'core' });
  });
});

describe('alakaiLogMixin()', () => {
  it("a module-level logger gets the slice's trace_id and context inside a slice and its steps, nothing outside", async () => {
    fixture = sdkFixture({}, 'orchestrator');
    const moduleLog = memoryPino({ mixin: alakaiLogMixin() });
    moduleLog.logger.info('outside');
    await fixture.tracing.runSlice(
      { event: 'slack.implementation', traceId: DELIVERY_ID, steps: ['launch'] },
      async (slice) => {
        moduleLog.logger.info('in slice');
        await slice.step('launch', async () => {
          await Promise.resolve();
          moduleLog.logger.info({ attempt: 1 }, 'in step');
        });
      },
    );
    const [outside, inSlice, inStep] = moduleLog.texts().map(parse);
    expect(outside!.trace_id).toBeUndefined();
    expect(outside!.context).toBeUndefined();
    for (const line of [inSlice!, inStep!]) {
      expect(line.trace_id).toBe(DELIVERY_ID);
      expect(line.context).toEqual({ trace_id: DELIVERY_ID, component: 'orchestrator' });
    }
    expect(inStep!.attempt).toBe(1);
  });

  it("never overwrites a trace_id the caller set, with pino's default merge or one that lets the mixin win", async () => {
    fixture = sdkFixture({}, 'core');
    const byDefault = memoryPino({ mixin: alakaiLogMixin() });
    const mixinWins = memoryPino({
      mixin: alakaiLogMixin(),
      mixinMergeStrategy: (merge, mixin) => Object.assign(merge, mixin),
    });
    await fixture.tracing.runSlice({ event: 'slack.prompt', traceId: DELIVERY_ID }, () => {
      byDefault.logger.info({ trace_id: 'mine' }, 'x');
      mixinWins.logger.info({ trace_id: 'mine' }, 'x');
    });
    for (const text of [byDefault.texts()[0]!, mixinWins.texts()[0]!]) {
      expect(count(text, '"trace_id":')).toBe(1);
      expect(parse(text).trace_id).toBe('mine');
    }
  });

  it('on a service logger: slice.logger and summary lines still write trace_id once', async () => {
    const service = memoryPino({
      base: { service: 'alakai-core', component: 'core' },
      mixin: alakaiLogMixin(),
      timestamp: pino.stdTimeFunctions.isoTime,
    });
    fixture = sdkFixture({ logger: service.logger });
    await fixture.tracing.runSlice({ event: 'slack.prompt', traceId: DELIVERY_ID }, (slice) => {
      slice.logger.info('via slice.logger');
      service.logger.info('via the service logger');
    });
    await fixture.tracing.forceFlush();
    const texts = service.texts();
    expect(texts).toHaveLength(3);
    for (const text of texts) {
      expect(count(text, `,"trace_id":`)).toBe(1); // top level; context.trace_id follows "{"
      expect(count(text, '"context":')).toBe(1);
    }
    expect(parseLogLine(texts[2]!).kind).toBe('summary');
  });

  it('inside a span that is not a slice: trace_id in the UUID form, no context', async () => {
    fixture = sdkFixture();
    const moduleLog = memoryPino({ mixin: alakaiLogMixin() });
    const span = fixture.tracing.tracer.startSpan('http.request');
    context.with(trace.setSpan(context.active(), span), () => moduleLog.logger.info('x'));
    span.end();
    const line = parse(moduleLog.texts()[0]!);
    const hex = span.spanContext().traceId;
    expect(line.trace_id).toBe(
      `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    );
    expect(line.context).toBeUndefined();
  });
});

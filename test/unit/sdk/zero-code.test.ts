import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AlakaiPinoInstrumentation } from '../../../src/sdk/pino-instrumentation.js';
import { enableZeroCode, MAX_PENDING_LINES, zeroCodeConverterOf } from '../../../src/sdk/zero-code.js';
import { DELIVERY_ID, sdkFixture, type SdkFixture } from './sdk-fixture.js';

let fixture: SdkFixture | undefined;
afterEach(async () => {
  await fixture?.tracing.shutdown();
  fixture = undefined;
});

/** What a legacy service logs by hand (the guide's example shape). */
function handWrittenEvent(n: number): Record<string, unknown> {
  return {
    trace_id: DELIVERY_ID,
    event: 'slack.implementation',
    outcome: 'success',
    final_status: 'completed',
    duration_ms: 1234 + n,
    context: { trace_id: DELIVERY_ID, component: 'worker' },
    steps: { clone: 'ok', run_agent: 'ok', open_pr: 'ok' },
    error: null,
    repo: { full_name: 'org/repo', base_ref: 'main' },
    pull_request: { url: 'https://github.com/org/repo/pull/7', number: 7 },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('zero-code mode', () => {
  it('turns hand-logged summary events into spans and leaves the line unchanged', async () => {
    fixture = sdkFixture({ zeroCode: true }, 'worker');
    fixture.tracing.logger.info({ trace_id: DELIVERY_ID, step: 'clone' }, 'cloning'); // a step-level line: not a slice
    fixture.tracing.logger.info(handWrittenEvent(0), '[event] slack.implementation -> success');
    await settle();
    const lines = fixture.lines();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      ...handWrittenEvent(0),
      level: 30,
      service: 'alakai-worker',
      component: 'worker',
      msg: '[event] slack.implementation -> success',
    });
    const spans = await fixture.exported();
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span!.spanContext().traceId).toBe(DELIVERY_ID.replaceAll('-', ''));
    expect(span!.parentSpanContext).toBeUndefined(); // live legacy spans have no cross-service parent
    expect(span!.attributes).toMatchObject({
      'alakai.event': 'slack.implementation',
      'alakai.repo.full_name': 'org/repo',
      'alakai.pull_request.number': 7,
      'alakai.legacy': true,
    });
    expect(span!.resource.attributes['service.name']).toBe('alakai-worker');
  });

  it("does not export the SDK's own summary lines twice", async () => {
    fixture = sdkFixture({ zeroCode: true }, 'worker');
    await fixture.tracing.runSlice({ event: 'slack.implementation', traceId: DELIVERY_ID }, () => undefined);
    await settle();
    expect(fixture.summaryLines()).toHaveLength(1);
    expect(await fixture.exported()).toHaveLength(1);
  });

  it('is bounded: a burst beyond the pending queue is counted and skipped, never blocks logging', async () => {
    fixture = sdkFixture({ zeroCode: true, exportQueue: { maxQueueSize: 4096 } }, 'worker');
    for (let i = 0; i < 1500; i++)
      fixture.tracing.logger.info(handWrittenEvent(i), '[event] slack.implementation -> success');
    expect(fixture.summaryLines()).toHaveLength(1500); // every line reached the destination synchronously
    await settle();
    const spans = await fixture.exported();
    expect(spans).toHaveLength(1000);
  });

  it('ignores lines that merely mention "[event] " and rejects malformed events without throwing', async () => {
    fixture = sdkFixture({ zeroCode: true }, 'worker');
    fixture.tracing.logger.info({ note: 'the msg "[event] x" is not ours' }, 'text with "[event] quoted');
    fixture.tracing.logger.info({ event: 'x', outcome: 'success', trace_id: '' }, '[event] x -> success');
    fixture.tracing.logger.info(JSON.parse('{"__proto__":{"polluted":true},"event":"x"}'), '[event] x -> success');
    await settle();
    expect(await fixture.exported()).toHaveLength(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(fixture.lines()).toHaveLength(3);
  });
});

describe('zero-code mode: nothing lost at flush and shutdown', () => {
  it('exports a summary line logged right before forceFlush(), with no tick in between', async () => {
    fixture = sdkFixture({ zeroCode: true }, 'worker');
    fixture.tracing.logger.info(handWrittenEvent(0), '[event] slack.implementation -> success');
    await fixture.tracing.forceFlush();
    expect(fixture.exporter.spans).toHaveLength(1);
  });

  it('exports a summary line logged right before shutdown(), with no tick in between', async () => {
    fixture = sdkFixture({ zeroCode: true }, 'worker');
    fixture.tracing.logger.info(handWrittenEvent(0), '[event] slack.implementation -> success');
    await fixture.tracing.shutdown();
    expect(fixture.exporter.spans).toHaveLength(1);
    expect(fixture.tracing.stats().spansDropped).toBe(0);
  });

  it('counts every line beyond the pending queue as a dropped span in stats()', async () => {
    fixture = sdkFixture({ zeroCode: true, exportQueue: { maxQueueSize: 4096 } }, 'worker');
    for (let i = 0; i < MAX_PENDING_LINES + 250; i++)
      fixture.tracing.logger.info(handWrittenEvent(i), '[event] slack.implementation -> success');
    await fixture.tracing.shutdown();
    expect(fixture.exporter.spans).toHaveLength(MAX_PENDING_LINES);
    expect(fixture.tracing.stats().spansDropped).toBe(250);
  });

  it('counts a summary line logged after shutdown as a dropped span, and only a real summary line', async () => {
    fixture = sdkFixture({ zeroCode: true }, 'worker');
    await fixture.tracing.shutdown();
    fixture.tracing.logger.info(handWrittenEvent(0), '[event] slack.implementation -> success');
    fixture.tracing.logger.info({ note: 'x' }, 'mentions "[event] but is not one');
    expect(fixture.lines()).toHaveLength(2); // the service's logging goes on unchanged
    expect(fixture.tracing.stats().spansDropped).toBe(1);
    expect(fixture.exporter.spans).toHaveLength(0);
  });

  it('tees a stream once: enableZeroCode on a logger setup already tees converts each line once', async () => {
    fixture = sdkFixture({ zeroCode: true }, 'worker');
    enableZeroCode(fixture.tracing.logger, fixture.tracing);
    enableZeroCode(fixture.tracing.logger.child({ step: 'x' }), fixture.tracing);
    fixture.tracing.logger.info(handWrittenEvent(0), '[event] slack.implementation -> success');
    expect(await fixture.exported()).toHaveLength(1);
  });
});

describe('zero-code mode: the pino instrumentation (CommonJS require, in process)', () => {
  it('tees loggers made by the patched factory — pino(), pino(destination), children — and leaves their lines unchanged', async () => {
    fixture = sdkFixture({ zeroCode: true }, 'worker');
    const instrumentation = new AlakaiPinoInstrumentation(zeroCodeConverterOf(fixture.tracing)!);
    instrumentation.enable();
    try {
      const pino = createRequire(import.meta.url)('pino') as typeof import('pino').default;
      const written: string[] = [];
      const destination = new Writable({
        write(chunk, _enc, cb) {
          written.push(String(chunk));
          cb();
        },
      });
      const own = pino({ base: { service: 'alakai-worker-implementation', component: 'worker' } }, destination);
      own.info(handWrittenEvent(1), '[event] slack.implementation -> success');
      own.child({ request: 7 }).info(handWrittenEvent(2), '[event] slack.implementation -> success');
      const [first] = written.map((l) => JSON.parse(l) as Record<string, unknown>);
      // exactly what pino writes: its keys, the caller's, nothing of ours
      expect(Object.keys(first!)).toEqual([
        'level',
        'time',
        'service',
        'component',
        ...Object.keys(handWrittenEvent(1)),
        'msg',
      ]);
      expect(first).toMatchObject({
        ...handWrittenEvent(1),
        level: 30,
        msg: '[event] slack.implementation -> success',
      });
      expect(written).toHaveLength(2);
      const spans = await fixture.exported();
      expect(spans).toHaveLength(2);
      expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([DELIVERY_ID.replaceAll('-', '')]));
      expect(new Set(spans.map((s) => s.resource.attributes['service.name']))).toEqual(
        new Set(['alakai-worker-implementation']),
      );
      expect(typeof pino.destination).toBe('function'); // the factory's properties are kept
      expect(pino.pino).toBe(pino);
    } finally {
      instrumentation.disable();
    }
  });
});

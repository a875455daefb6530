import { afterEach, describe, expect, it } from 'vitest';
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
    expect(lines[1]).toMatchObject({ ...handWrittenEvent(0), level: 30, service: 'alakai-worker', component: 'worker', msg: '[event] slack.implementation -> success' });
    const spans = await fixture.exported();
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span!.spanContext().traceId).toBe(DELIVERY_ID.replaceAll('-', ''));
    expect(span!.parentSpanContext).toBeUndefined(); // live legacy spans have no cross-service parent
    expect(span!.attributes).toMatchObject({ 'alakai.event': 'slack.implementation', 'alakai.repo.full_name': 'org/repo', 'alakai.pull_request.number': 7, 'alakai.legacy': true });
    expect(span!.resource.attributes['service.name']).toBe('alakai-worker');
  });

  it('does not export the SDK\'s own summary lines twice', async () => {
    fixture = sdkFixture({ zeroCode: true }, 'worker');
    await fixture.tracing.runSlice({ event: 'slack.implementation', traceId: DELIVERY_ID }, () => undefined);
    await settle();
    expect(fixture.summaryLines()).toHaveLength(1);
    expect(await fixture.exported()).toHaveLength(1);
  });

  it('is bounded: a burst beyond the pending queue is counted and skipped, never blocks logging', async () => {
    fixture = sdkFixture({ zeroCode: true, exportQueue: { maxQueueSize: 4096 } }, 'worker');
    for (let i = 0; i < 1500; i++) fixture.tracing.logger.info(handWrittenEvent(i), '[event] slack.implementation -> success');
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

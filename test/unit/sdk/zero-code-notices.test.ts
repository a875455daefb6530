/**
 * What zero-code mode says once (noticeOnce: one stderr line per process and key). Its own file:
 * the "once" is per process, so each key is checked by the first test that can trigger it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DELIVERY_ID, sdkFixture, type SdkFixture } from './sdk-fixture.js';

let fixture: SdkFixture | undefined;
afterEach(async () => {
  await fixture?.tracing.shutdown();
  fixture = undefined;
});

/** Collects what is written to stderr while `fn` runs. */
async function stderrDuring(fn: () => Promise<void> | void): Promise<string> {
  let text = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return text;
}

describe('zero-code mode notices', () => {
  it('says nothing when zero-code mode is off, or when the service runs slices of its own', async () => {
    const off = sdkFixture({}, 'worker');
    off.tracing.logger.info('hello');
    const on = sdkFixture({ zeroCode: true }, 'worker');
    await on.tracing.runSlice({ event: 'slack.implementation', traceId: DELIVERY_ID }, () => undefined);
    expect(
      await stderrDuring(async () => {
        await off.tracing.shutdown();
        await on.tracing.shutdown();
      }),
    ).toBe('');
  });

  it('says once, at shutdown, that it found nothing to convert and why', async () => {
    fixture = sdkFixture({ zeroCode: true }, 'worker');
    fixture.tracing.logger.info({ step: 'clone' }, 'cloning');
    fixture.tracing.logger.info({ step: 'push' }, 'pushing');
    const said = await stderrDuring(() => fixture!.tracing.shutdown());
    expect(said).toBe(
      'alakai-otel: zero-code mode found nothing to convert: 2 lines were logged, none of them a summary event (msg "[event] <event> -> <outcome>")\n',
    );
    const again = sdkFixture({ zeroCode: true }, 'worker');
    expect(await stderrDuring(() => again.tracing.shutdown())).toBe('');
  });

  it('says once why a line logged as a summary event was not converted', async () => {
    fixture = sdkFixture({ zeroCode: true }, 'worker');
    const line = {
      trace_id: DELIVERY_ID,
      event: 'slack.implementation',
      outcome: 'success',
      final_status: 'completed',
      duration_ms: 1,
      context: { trace_id: DELIVERY_ID, component: 'worker' },
      steps: {},
      error: null,
    };
    const said = await stderrDuring(async () => {
      fixture!.tracing.logger.info(
        { ...line, service: undefined, component: undefined },
        '[event] slack.implementation -> success',
      );
      fixture!.tracing.logger.info({ ...line, service: 42 }, '[event] slack.implementation -> success');
      await fixture!.tracing.forceFlush();
    });
    expect(said).toMatch(
      /^alakai-otel: zero-code mode: a line logged as a summary event is not a valid one \(\S+\); it is not exported, and later ones are not reported\n$/,
    );
  });
});

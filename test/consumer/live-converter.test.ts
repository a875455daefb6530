/**
 * Issue 12, "one streaming converter": `alakai-otel live` from the installed package, with two
 * destinations of which one fails part of the way or hangs. Each destination's line must say
 * exactly what it got: exported is what the collector accepted, and every span is exported,
 * failed or not sent, for each destination on its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/fake-otlp-receiver.js';
import { consumerApp } from './harness/app.js';

const app = consumerApp();
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** `count` legacy summary lines as a service logs them by hand: one span each, each its own trace. */
function summaryLines(count: number): string {
  const lines: string[] = [];
  for (let n = 0; n < count; n++) {
    const traceId = `7c1e4b2a-0d3f-4e5a-9b6c-${n.toString(16).padStart(12, '0')}`;
    lines.push(
      JSON.stringify({
        level: 30,
        time: '2026-05-05T12:00:00.000Z',
        service: 'alakai-worker',
        component: 'worker',
        trace_id: traceId,
        event: 'slack.implementation',
        outcome: 'success',
        final_status: 'completed',
        duration_ms: 1000 + n,
        context: { trace_id: traceId, component: 'worker' },
        steps: { clone: 'ok', run_agent: 'ok' },
        error: null,
        msg: '[event] slack.implementation -> success',
      }),
    );
  }
  return lines.join('\n') + '\n';
}

function fileSpans(path: string): number {
  let spans = 0;
  for (const line of readFileSync(path, 'utf8').trim().split('\n')) {
    const request = JSON.parse(line) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
    for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
  }
  return spans;
}

describe('live: exports counted per destination', () => {
  it('an endpoint that takes the first request and refuses the rest: exported is what it accepted', async () => {
    // 100 slices of 3 spans each (the slice and two steps), logged by the SDK: a line's spans do not
    // line up with the 256-span requests, so a request mixes lines (the old count took the whole
    // batch as failed when its last request failed, though its first was accepted).
    const script = app.write(
      'live/slices.mjs',
      `import pino from 'pino';
import { setupAlakaiTracing } from 'alakai-otel';
const logger = pino({ base: { service: 'alakai-worker', component: 'worker' }, timestamp: pino.stdTimeFunctions.isoTime });
const tracing = setupAlakaiTracing({ service: 'alakai-worker', component: 'worker', logger, handleSignals: false });
for (let i = 0; i < 100; i++) {
  const traceId = '5d0c3b1a-2e4f-4a6b-8c9d-' + i.toString(16).padStart(12, '0');
  await tracing.runSlice({ event: 'slack.implementation', traceId, steps: ['clone', 'run_agent'] }, async (slice) => {
    await slice.step('clone', () => 1);
    await slice.step('run_agent', () => 2);
  });
}
await tracing.shutdown();
`,
    );
    const logged = await app.run(script, { env: { OTEL_TRACES_EXPORTER: 'none' } });
    expect(logged.code, logged.stderr).toBe(0);
    const input = logged.stdout;
    receiver = await startOtlpReceiver('ok', { answer: (i) => ({ status: i === 0 ? 200 : 500 }) });
    const out = join(app.dir, 'live/partial.jsonl');
    const r = await app.cli(['live', '--output', out, '--otlp-endpoint', receiver.url], { stdin: input });
    expect(r.stdout).toBe(input);
    expect(r.code).toBe(0);
    const accepted = receiver.acceptedSpanIds.size;
    expect(accepted).toBe(256); // the first request, a full batch
    expect(r.stderr).toContain(`alakai-otel live: ${out}: 300 spans exported, 0 failed to export\n`);
    expect(r.stderr).toContain(
      `alakai-otel live: ${receiver.url}: ${accepted} spans exported, ${300 - accepted} failed to export\n`,
    );
    expect(fileSpans(out)).toBe(300);
  });

  it('an endpoint that hangs: the file gets every span, the endpoint line counts them as not sent; exit 0', async () => {
    receiver = await startOtlpReceiver('hang');
    const input = summaryLines(10);
    const out = join(app.dir, 'live/hang.jsonl');
    app.write('live/.keep', ''); // the directory of --output
    const r = await app.cli(['live', '--output', out, '--otlp-endpoint', receiver.url], { stdin: input });
    expect(r.stdout).toBe(input);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `alakai-otel live: ${out}: 10 spans exported, 0 failed to export\n` +
        `alakai-otel live: ${receiver.url}: 0 spans exported, 0 failed to export, 10 not sent before the 5000 ms shutdown bound\n`,
    );
    expect(fileSpans(out)).toBe(10);
  });
});

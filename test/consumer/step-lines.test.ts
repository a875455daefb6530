/**
 * Step-level lines carry the join key (issue 11, item 7), from the packed package. A worker logs
 * step lines through `slice.logger` and through a module-level pino with `alakaiLogMixin()`; the
 * guide's runbook step 3 (`fields @timestamp, context.component, level, msg | filter trace_id =
 * "<id>"`) finds them all. Then the installed CLI backfills those lines and does what
 * docs/backfill.md says: the bridged slice's spans come back exactly as exported live, its step
 * lines only counted (`unattachedStepLogs`); beside a legacy slice of another component (a partial
 * rollout), they become span events on that legacy slice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromOtlpRequest } from '../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../src/contract/span-record.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/fake-otlp-receiver.js';
import { consumerApp } from './harness/app.js';

const TRACE_ID = '2d4f6a8c-1b3e-4d5f-8a7c-9e0b2d4f6a8c';
const HEX = TRACE_ID.replaceAll('-', '');

const GIT_MODULE = `import pino from 'pino';
import { alakaiLogMixin } from 'alakai-otel';
// A module-level logger, made once at import, outside any slice.
const log = pino({ mixin: alakaiLogMixin() });
export async function clone(repo) {
  log.info({ repo }, 'git clone');
  await new Promise((r) => setTimeout(r, 5));
  log.debug('not written: below the level');
  log.warn({ repo, attempt: 2 }, 'git clone retried');
}
`;

const WORKER = `import pino from 'pino';
import { SpanKind } from '@opentelemetry/api';
import { setupAlakaiTracing, extractRedisContext } from 'alakai-otel';
import { clone } from './git.mjs';
const logger = pino();
const tracing = setupAlakaiTracing({ service: 'alakai-worker-implementation', component: 'worker', logger, handleSignals: false });
logger.info('worker started');
const { context, traceId } = extractRedisContext(JSON.stringify({ trace_id: '${TRACE_ID}', task_id: 'T-9' }));
await tracing.runSlice({ event: 'coding.implementation', parent: context, traceId, kind: SpanKind.CONSUMER, steps: ['clone', 'open_pr'] }, async (slice) => {
  slice.logger.info({ task_id: 'T-9' }, 'task received');
  await slice.step('clone', () => clone('org/repo'));
  await slice.step('open_pr', async () => { slice.logger.info({ number: 42 }, 'pull request opened'); });
});
logger.info('worker idle');
await tracing.shutdown();
`;

/** A core slice as the guide writes it by hand (no span ids): a legacy event of the same execution. */
function legacyCoreLine(endMs: number): string {
  return JSON.stringify({
    time: new Date(endMs).toISOString(),
    level: 30,
    service: 'alakai-core',
    component: 'core',
    trace_id: TRACE_ID,
    event: 'slack.implementation',
    outcome: 'success',
    final_status: 'enqueued',
    duration_ms: 120,
    context: { trace_id: TRACE_ID, component: 'core' },
    steps: { enqueue: 'ok' },
    error: null,
    msg: '[event] slack.implementation -> success',
  });
}

const bySpanId = (a: SpanRecord, b: SpanRecord) => a.spanId.localeCompare(b.spanId);

describe('packed package: step-level lines of a slice', () => {
  const app = consumerApp();
  let collector: OtlpReceiver;
  let stdout = '';
  const STEP_MESSAGES = ['task received', 'git clone', 'git clone retried', 'pull request opened'];

  beforeAll(async () => {
    collector = await startOtlpReceiver('ok');
    app.write('step-lines/git.mjs', GIT_MODULE);
    const script = app.write('step-lines/worker.mjs', WORKER);
    const result = await app.run(script, { env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    stdout = result.stdout;
  });
  afterAll(() => collector.close());

  it("the guide's step-3 filter (trace_id = T) finds every step line and the summary, each with context.component", () => {
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const found = lines.filter((l) => l.trace_id === TRACE_ID);
    // Two pino loggers, two stdout buffers: lines of different loggers need not interleave in time
    // order (the guide's query sorts by @timestamp), so the set is compared.
    expect(found.map((l) => l.msg).sort()).toEqual(
      [...STEP_MESSAGES, '[event] coding.implementation -> success'].sort(),
    );
    for (const line of found) expect((line.context as Record<string, unknown>).component).toBe('worker');
    expect(found.find((l) => l.msg === 'git clone retried')).toMatchObject({ level: 40, repo: 'org/repo', attempt: 2 });
    // Lines outside the slice carry no trace id; no line writes trace_id twice.
    expect(
      lines
        .filter((l) => l.trace_id === undefined)
        .map((l) => l.msg)
        .sort(),
    ).toEqual(['worker idle', 'worker started']);
    for (const text of stdout.trim().split('\n')) expect(text.split(',"trace_id":').length - 1).toBeLessThanOrEqual(1);
  });

  async function backfill(
    name: string,
    input: string,
  ): Promise<{ spans: SpanRecord[]; report: Record<string, number> }> {
    const inputPath = app.write(`step-lines/${name}.ndjson`, input);
    const output = join(app.dir, `step-lines/${name}.otlp.jsonl`);
    const reportPath = join(app.dir, `step-lines/${name}.report.json`);
    const result = await app.cli([
      'backfill',
      '--input',
      inputPath,
      '--output',
      output,
      '--report',
      reportPath,
      '--quiet',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const spans = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .flatMap((l) => fromOtlpRequest(JSON.parse(l)));
    return { spans, report: JSON.parse(readFileSync(reportPath, 'utf8')) as Record<string, number> };
  }

  it('backfill of an all-bridged trace: the spans exactly as exported live, the step lines counted as unattached', async () => {
    const live = collector.acceptedSpans().filter((s) => s.traceId === HEX);
    expect(live.length).toBe(3);
    const { spans, report } = await backfill('bridged-only', stdout);
    expect(spans.sort(bySpanId)).toEqual(live.sort(bySpanId));
    expect(spans.every((s) => s.events.length === 0)).toBe(true);
    expect(report.stepLogs).toBe(STEP_MESSAGES.length);
    expect(report.unattachedStepLogs).toBe(STEP_MESSAGES.length);
  });

  it('backfill beside a legacy slice of another component: the bridged spans unchanged, the step lines stay with their own (bridged) component: unattached, not moved to the legacy slice', async () => {
    const live = collector.acceptedSpans().filter((s) => s.traceId === HEX);
    const workerStart = Math.min(...live.map((s) => Number(s.startTimeUnixNano / 1_000_000n)));
    const input = legacyCoreLine(workerStart - 50) + '\n' + stdout;
    const { spans, report } = await backfill('mixed', input);
    const liveIds = new Set(live.map((s) => s.spanId));
    expect(spans.filter((s) => liveIds.has(s.spanId)).sort(bySpanId)).toEqual(live.sort(bySpanId));
    const legacy = spans.filter((s) => !liveIds.has(s.spanId));
    expect(legacy.map((s) => s.name)).toEqual(['slack.implementation']);
    expect(legacy[0]!.traceId).toBe(HEX);
    // A slice's span events come only from lines its own service wrote (docs/backfill.md "What
    // becomes a span"): follow could not wait for another service's lines, and backfill agrees.
    expect(legacy[0]!.events).toEqual([]);
    expect(report.stepLogs).toBe(STEP_MESSAGES.length);
    expect(report.unattachedStepLogs).toBe(STEP_MESSAGES.length);
  });
});

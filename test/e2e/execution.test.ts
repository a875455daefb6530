/**
 * One Alakai execution end to end, through the real peers (scripts/peers.sh or docker compose):
 * a signed GitHub webhook into core → SQS (moto) → orchestrator → Redis → worker, three Node
 * processes instrumented only by `--import alakai-otel/register`, exporting to the Collector.
 *
 * The tests in this file run in order and build on each other: the live execution (1) is what the
 * backfill (2) and the `trace` command (3) must reproduce from the CloudWatch log groups.
 */
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  startAlakaiSystem,
  COMPONENTS,
  SERVICE_OF,
  type AlakaiSystem,
  type Execution,
} from './harness/alakai-system.js';
import { describeRun, runCli } from './harness/cli.js';
import { logsClient, shipLines } from './harness/cloudwatch.js';
import { jaegerTraceV1, jaegerTraceV3, waitForJaegerTrace, type JaegerSpanView } from './harness/jaeger.js';
import { loadPeersEnv, peersChildEnv } from './harness/peers-env.js';
import { restartJaeger } from './harness/peers-control.js';
import { pollUntil } from './harness/poll.js';
import { schemaErrors } from './harness/summary-schema.js';
import { allSegmentNodes, xrayClient, xraySegments, xrayTraceId } from './harness/xray.js';

const LOG_GROUPS = {
  core: '/ecs/alakai-core',
  orchestrator: '/ecs/alakai-orchestrator',
  worker: '/ecs/alakai-worker-implementation',
} as const;
const SERVICES = COMPONENTS.map((c) => SERVICE_OF[c]);
// OTLP SpanKind numbering (what the v3 API returns).
const OTLP_KIND = { SERVER: 2, PRODUCER: 4, CONSUMER: 5 } as const;
const STATUS_ERROR = 2;

const peers = loadPeersEnv();
let system: AlakaiSystem;
let live: Execution;
let liveSpans: JaegerSpanView[];
let failed: Execution;

beforeAll(async () => {
  system = await startAlakaiSystem(peers);
});

afterAll(async () => {
  await system?.stop();
});

/** The slice span (carries alakai.event) each service wrote for the execution. */
function sliceSpans(spans: JaegerSpanView[]): Map<string, JaegerSpanView> {
  const out = new Map<string, JaegerSpanView>();
  for (const span of spans) {
    if (span.attributes['alakai.event'] === undefined) continue;
    expect(out.has(span.service), `${span.service} has two slice spans`).toBe(false);
    out.set(span.service, span);
  }
  return out;
}

/** Walks parents up from `span`; fails on a missing parent or a cycle. */
function ancestors(span: JaegerSpanView, byId: Map<string, JaegerSpanView>): JaegerSpanView[] {
  const chain: JaegerSpanView[] = [];
  let current = span;
  while (current.parentSpanId !== undefined) {
    const parent = byId.get(current.parentSpanId);
    expect(
      parent,
      `parent ${current.parentSpanId} of "${current.name}" (${current.service}) is not in the trace`,
    ).toBeDefined();
    chain.push(parent!);
    expect(chain.length).toBeLessThan(byId.size + 1);
    current = parent!;
  }
  return chain;
}

/** Attributes Jaeger's query side adds itself (adjuster warnings such as clock skew notes). */
const JAEGER_ADDED = '@jaeger@';

function ownAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => !key.startsWith(JAEGER_ADDED)));
}

/** What must survive a round trip through the summary events, per span, in a stable order. */
function canonical(spans: JaegerSpanView[]) {
  return spans
    .map((s) => ({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId ?? null,
      name: s.name,
      service: s.service,
      kind: s.kind,
      start: s.startTimeUnixNano,
      end: s.endTimeUnixNano,
      status: s.statusCode,
      attributes: ownAttributes(s.attributes),
      resource: s.resource,
    }))
    .sort((a, b) => a.spanId.localeCompare(b.spanId));
}

describe.sequential('an execution through the real peers', () => {
  test('1a. live: Jaeger returns one trace, id = the delivery UUID, spans of all three services in one parented tree', async () => {
    live = await system.execute();
    expect(live.httpStatus).toBe(202);
    for (const component of COMPONENTS) {
      expect(live.summaries[component]).toMatchObject({
        outcome: 'success',
        event: 'coding.implementation',
        component,
      });
    }

    // Three slices, each with its steps, plus the two producer spans: at least 3 + 3·3 + 2.
    liveSpans = await waitForJaegerTrace(peers.jaegerQueryUrl, live.traceHex, SERVICES, 14);
    expect(new Set(liveSpans.map((s) => s.traceId))).toEqual(new Set([live.traceHex]));
    expect(new Set(liveSpans.map((s) => s.spanId)).size, 'duplicate span ids').toBe(liveSpans.length);

    const byId = new Map(liveSpans.map((s) => [s.spanId, s]));
    const roots = liveSpans.filter((s) => s.parentSpanId === undefined);
    expect(roots.map((r) => `${r.service}:${r.name}`)).toEqual(['alakai-core:coding.implementation']);
    const root = roots[0]!;
    expect(root.kind).toBe(OTLP_KIND.SERVER);

    const slices = sliceSpans(liveSpans);
    expect([...slices.keys()].sort()).toEqual([...SERVICES].sort());
    // orchestrator's slice hangs under core's SQS send; worker's under orchestrator's Redis send.
    const orchestrator = slices.get('alakai-orchestrator')!;
    const worker = slices.get('alakai-worker')!;
    for (const [consumer, producerService, system] of [
      [orchestrator, 'alakai-core', 'aws_sqs'],
      [worker, 'alakai-orchestrator', 'redis'],
    ] as const) {
      expect(consumer.kind).toBe(OTLP_KIND.CONSUMER);
      const producer = byId.get(consumer.parentSpanId ?? '');
      expect(producer, `${consumer.service}'s slice has no parent in the trace`).toBeDefined();
      expect(producer!.service).toBe(producerService);
      expect(producer!.kind).toBe(OTLP_KIND.PRODUCER);
      expect(producer!.attributes['messaging.system']).toBe(system);
    }
    // Everything reaches core's root, and every step span sits under its own service's slice.
    for (const span of liveSpans) {
      if (span !== root) expect(ancestors(span, byId).at(-1)).toBe(root);
      if (span.attributes['alakai.step'] !== undefined) {
        expect(byId.get(span.parentSpanId ?? '')).toBe(slices.get(span.service));
      }
    }
    // The summary lines name the same spans (bridge extension): logs and traces join on ids.
    for (const component of COMPONENTS) {
      const slice = slices.get(SERVICE_OF[component])!;
      expect(live.summaries[component].span_id).toBe(slice.spanId);
      expect(live.summaries[component].trace_id).toBe(live.deliveryId);
    }

    // The UI's API (v1) shows the same trace with the same service per span.
    const v1 = await jaegerTraceV1(peers.jaegerQueryUrl, live.traceHex);
    expect(new Set(v1.map((s) => s.service))).toEqual(new Set(SERVICES));
    expect(v1.length).toBe(liveSpans.length);
  });

  test("1b. live: X-Ray (moto, via the Collector's awsxray exporter) returns the same trace's segments", async () => {
    expect(live, 'needs the live execution of 1a').toBeDefined();
    const client = xrayClient(peers);
    try {
      const sliceIds = [...sliceSpans(liveSpans).values()].map((s) => s.spanId);
      const nodes = await pollUntil(
        async () => {
          const found = allSegmentNodes(await xraySegments(client, live.traceHex));
          const ids = new Set(found.map((n) => n.id));
          return sliceIds.every((id) => ids.has(id)) ? found : undefined;
        },
        { what: `X-Ray segments of ${xrayTraceId(live.traceHex)} for the three slices`, timeoutMs: 60_000 },
      );
      const liveIds = new Set(liveSpans.map((s) => s.spanId));
      for (const node of nodes) {
        expect(liveIds.has(node.id), `X-Ray segment ${node.id} (${node.name}) is not a span of the trace`).toBe(true);
        if (node.trace_id !== undefined) expect(node.trace_id).toBe(xrayTraceId(live.traceHex));
      }
      // Slices are searchable by the indexed Alakai fields (X-Ray annotations).
      for (const id of sliceIds) {
        const node = nodes.find((n) => n.id === id)!;
        expect(node.annotations).toMatchObject({
          'alakai.event': 'coding.implementation',
          'alakai.outcome': 'success',
        });
        expect(node.error ?? false).toBe(false);
        expect(node.fault ?? false).toBe(false);
      }
    } finally {
      client.destroy();
    }
  });

  test("1c. live: the three components' summary lines, shipped to their CloudWatch log groups, validate against the schema", async () => {
    expect(live, 'needs the live execution of 1a').toBeDefined();
    const logs = logsClient(peers);
    try {
      for (const component of COMPONENTS) {
        const lines = system.linesOf(component);
        const summaries = lines.filter((l) => l.includes(live.deliveryId) && l.includes('"msg":"[event] '));
        expect(summaries, `${component} summary lines for the execution`).toHaveLength(1);
        await shipLines(logs, LOG_GROUPS[component], `e2e-${system.runId}`, lines);
        const back = await logs.send(
          new GetLogEventsCommand({
            logGroupName: LOG_GROUPS[component],
            logStreamName: `e2e-${system.runId}`,
            startFromHead: true,
          }),
        );
        const stored = (back.events ?? [])
          .map((e) => e.message ?? '')
          .filter((m) => m.includes(live.deliveryId) && m.includes('"msg":"[event] '));
        expect(stored).toEqual(summaries);
        const event = JSON.parse(stored[0]!) as Record<string, unknown>;
        expect(schemaErrors(event), `${component}: ${stored[0]}`).toBeUndefined();
        expect(event).toMatchObject({
          level: 30,
          component,
          trace_id: live.deliveryId,
          context: { component, trace_id: live.deliveryId },
        });
      }
    } finally {
      logs.destroy();
    }
  });

  test('2. backfill from the log groups into a fresh Jaeger gives the same trace; a second run adds no duplicate', async () => {
    expect(liveSpans, 'needs the live trace of 1a').toBeDefined();
    await restartJaeger(peers);
    expect(await jaegerTraceV3(peers.jaegerQueryUrl, live.traceHex), 'Jaeger was not emptied by the restart').toEqual(
      [],
    );

    const args = [
      'backfill',
      '--since',
      '2h',
      '--log-group',
      LOG_GROUPS.core,
      '--log-group',
      LOG_GROUPS.orchestrator,
      '--log-group',
      LOG_GROUPS.worker,
      '--otlp-endpoint',
      `${peers.jaegerOtlpHttp}/v1/traces`,
    ];
    const env = peersChildEnv(peers);
    // Both runs go in before Jaeger is first asked for the trace. Jaeger 2.13's in-memory store
    // hands its stored spans to the query adjusters, which append `@jaeger@warnings` to them in
    // place; a span queried before the second copy arrives no longer hashes like that copy, and the
    // query-time de-duplication keeps both. Real storage backends return fresh copies per query.
    for (const run of ['first', 'second']) {
      const result = await runCli(args, env);
      expect(result.code, `${run} backfill: ${describeRun(args, result)}`).toBe(0);
    }
    // Jaeger's OTLP receiver stores before it answers, and the CLI exits after its exports are
    // answered, so both runs are in Jaeger now.
    const rebuilt = await waitForJaegerTrace(peers.jaegerQueryUrl, live.traceHex, SERVICES, liveSpans.length);
    expect(rebuilt.length, 'spans after two backfills of the same logs').toBe(liveSpans.length);
    expect(canonical(rebuilt)).toEqual(canonical(liveSpans));
    const v1 = await jaegerTraceV1(peers.jaegerQueryUrl, live.traceHex);
    expect(v1.length, 'spans the UI shows after two backfills').toBe(liveSpans.length);
  });

  test('3. `trace <id>` against the log groups prints the execution', async () => {
    expect(live, 'needs the live execution of 1a').toBeDefined();
    const env = peersChildEnv(peers);
    const textArgs = ['trace', live.deliveryId, '--since', '24h'];
    const text = await runCli(textArgs, env);
    expect(text.code, describeRun(textArgs, text)).toBe(0);
    for (const component of COMPONENTS) expect(text.stdout, describeRun(textArgs, text)).toContain(component);
    expect(text.stdout).toContain('coding.implementation');
    expect(text.stdout).toMatch(/enqueued[\s\S]*task_launched[\s\S]*completed/);

    const jsonArgs = [...textArgs, '--json'];
    const json = await runCli(jsonArgs, env);
    expect(json.code, describeRun(jsonArgs, json)).toBe(0);
    const rendered = JSON.stringify(JSON.parse(json.stdout));
    for (const component of COMPONENTS) {
      const summary = live.summaries[component];
      expect(rendered, `${component} slice missing from --json`).toContain(String(summary.span_id));
      expect(rendered).toContain(String(summary.final_status));
    }
  });

  test('4. an execution whose worker fails is an error in Jaeger, in X-Ray and in the logs', async () => {
    failed = await system.execute({ failInWorker: true });
    expect(failed.httpStatus).toBe(202);
    expect(failed.summaries.core).toMatchObject({ outcome: 'success' });
    expect(failed.summaries.orchestrator).toMatchObject({ outcome: 'success' });
    expect(failed.summaries.worker).toMatchObject({
      outcome: 'error',
      final_status: 'agent_failed',
      error: { type: 'AgentError' },
      steps: { clone_repo: 'ok', run_agent: 'error', open_pull_request: '-' },
    });
    expect(schemaErrors(failed.summaries.worker)).toBeUndefined();

    // open_pull_request never runs: one step span fewer than the successful execution.
    const spans = await waitForJaegerTrace(peers.jaegerQueryUrl, failed.traceHex, SERVICES, 13);
    const slices = sliceSpans(spans);
    expect(slices.get('alakai-worker')!.statusCode).toBe(STATUS_ERROR);
    expect(slices.get('alakai-worker')!.attributes['alakai.outcome']).toBe('error');
    expect(slices.get('alakai-core')!.statusCode).not.toBe(STATUS_ERROR);
    // The UI marks a span red by its `error` tag.
    const v1 = await jaegerTraceV1(peers.jaegerQueryUrl, failed.traceHex);
    const workerSlice = v1.find((s) => s.spanID === slices.get('alakai-worker')!.spanId)!;
    expect(workerSlice.tags).toContainEqual(expect.objectContaining({ key: 'error', value: true }));

    const client = xrayClient(peers);
    try {
      const workerId = slices.get('alakai-worker')!.spanId;
      const segment = await pollUntil(
        async () => allSegmentNodes(await xraySegments(client, failed.traceHex)).find((n) => n.id === workerId),
        { what: `X-Ray segment of the failed worker slice ${workerId}`, timeoutMs: 60_000 },
      );
      expect(segment.error === true || segment.fault === true, JSON.stringify(segment).slice(0, 800)).toBe(true);
      expect(segment.annotations).toMatchObject({
        'alakai.outcome': 'error',
        'alakai.final_status': 'agent_failed',
        'error.type': 'AgentError',
      });
    } finally {
      client.destroy();
    }
  });
});

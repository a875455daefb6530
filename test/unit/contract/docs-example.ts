/**
 * The span tree shown in docs/mapping.md and docs/summary-event-format.md, and the rendering of
 * it. docs.test.ts checks the documents hold exactly what this produces (UPDATE_DOCS=1 rewrites them).
 */
import { componentResource } from '../../../src/contract/resource.js';
import { sliceToSummaryEvent } from '../../../src/contract/spans-to-event.js';
import { SPAN_KIND, STATUS_CODE, type SpanRecord } from '../../../src/contract/span-record.js';
import { span, stepSpan } from './fixtures.js';

const KIND_NAMES = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_NAMES = ['UNSET', 'OK', 'ERROR'];

/** A worker slice as the SDK records it: steps, a failed-then-retried agent call, a GitHub call. */
export function exampleTree(): { slice: SpanRecord; descendants: SpanRecord[] } {
  const resource = {
    ...componentResource('alakai-worker-implementation', 'worker'),
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.version': '2.12.1',
  };
  const slice = span({
    traceId: '3f2c8a1e9b4d4c6e8f7a1d2e3c4b5a69',
    spanId: '7a1c2e3f4b5d6e70',
    parentSpanId: '51d2c3b4a5968778',
    name: 'coding.implementation',
    kind: SPAN_KIND.CONSUMER,
    endTimeUnixNano: span().startTimeUnixNano + 412_003_217_001n,
    attributes: {
      'alakai.event': 'coding.implementation',
      'alakai.steps.declared': ['clone', 'run_agent', 'push', 'open_pr'],
      'messaging.system': 'redis',
      'messaging.operation.type': 'receive',
      'alakai.repo.full_name': 'org/repo',
      'alakai.repo.base_ref': 'main',
      'alakai.task.task_id': 'T-1842',
      'alakai.task.task_type': 'implementation',
      'alakai.task.source': 'slack_implement',
      'alakai.agent.provider': 'anthropic',
      'alakai.agent.model': 'claude-sonnet-4',
      'alakai.pull_request.url': 'https://github.com/org/repo/pull/42',
      'alakai.pull_request.number': 42,
      'alakai.outcome': 'success',
      'alakai.final_status': 'pr_opened',
    },
    resource,
    scope: { name: 'alakai-otel', version: '0.1.0' },
  });
  const clone = stepSpan(slice, 'clone', '7a1c2e3f4b5d6e71', 12);
  const runAgent = stepSpan(slice, 'run_agent', '7a1c2e3f4b5d6e72', 3_400, {
    endTimeUnixNano: slice.startTimeUnixNano + 401_000_000_000n,
  });
  const agentCall1 = stepSpan(runAgent, 'POST /v1/messages', '7a1c2e3f4b5d6e73', 2, {
    kind: SPAN_KIND.CLIENT,
    status: { code: STATUS_CODE.ERROR, message: 'HTTP 529 overloaded' },
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 529, 'error.type': '529' },
  });
  const agentCall2 = stepSpan(runAgent, 'POST /v1/messages', '7a1c2e3f4b5d6e74', 2_010, {
    kind: SPAN_KIND.CLIENT,
    endTimeUnixNano: slice.startTimeUnixNano + 400_990_000_000n,
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 200 },
  });
  const push = stepSpan(slice, 'push', '7a1c2e3f4b5d6e75', 401_100);
  const openPr = stepSpan(slice, 'open_pr', '7a1c2e3f4b5d6e76', 409_800, {
    endTimeUnixNano: slice.startTimeUnixNano + 411_950_000_000n,
  });
  const githubCall = stepSpan(openPr, 'POST /repos/{owner}/{repo}/pulls', '7a1c2e3f4b5d6e77', 10, {
    kind: SPAN_KIND.CLIENT,
    endTimeUnixNano: slice.startTimeUnixNano + 411_900_000_000n,
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201, 'server.address': 'api.github.com' },
  });
  return { slice, descendants: [clone, agentCall1, agentCall2, runAgent, push, githubCall, openPr] };
}

function ms(ns: bigint, from: bigint): string {
  return `${(Number(ns - from) / 1e6).toFixed(3)} ms`;
}

/** The tree as indented text: what a reader would see in Jaeger. */
export function renderTree({ slice, descendants }: ReturnType<typeof exampleTree>): string {
  const all = [slice, ...descendants];
  const children = (id: string) =>
    all.filter((s) => s.parentSpanId === id).sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
  const lines: string[] = [];
  const walk = (s: SpanRecord, depth: number) => {
    const pad = '  '.repeat(depth);
    const status = s.status.code
      ? ` status=${STATUS_NAMES[s.status.code]}${s.status.message ? ` "${s.status.message}"` : ''}`
      : '';
    lines.push(
      `${pad}${s.name}  [${KIND_NAMES[s.kind]}] span ${s.spanId}  +${ms(s.startTimeUnixNano, slice.startTimeUnixNano)} … +${ms(s.endTimeUnixNano, slice.startTimeUnixNano)}${status}`,
    );
    for (const [k, v] of Object.entries(s.attributes)) lines.push(`${pad}    ${k} = ${JSON.stringify(v)}`);
    for (const c of children(s.spanId)) walk(c, depth + 1);
  };
  lines.push(
    `trace ${slice.traceId}; slice parent span ${slice.parentSpanId} (the orchestrator's hand-over, in another process)`,
  );
  lines.push(`resource: ${JSON.stringify(slice.resource)}`);
  lines.push(`scope: ${JSON.stringify(slice.scope)}; slice start ${slice.startTimeUnixNano} ns`);
  walk(slice, 0);
  return lines.join('\n');
}

export function exampleLine(): string {
  const { slice, descendants } = exampleTree();
  return JSON.stringify(sliceToSummaryEvent(slice, descendants));
}

/** The `otel` field of the example, pretty-printed for reading: one key, or one descendant, per line. */
export function exampleExtension(): string {
  const event = JSON.parse(exampleLine()) as { otel: string };
  const ext = JSON.parse(event.otel) as Record<string, unknown>;
  const lines = Object.entries(ext).map(([key, value]) =>
    key === 'ch' && Array.isArray(value)
      ? `  "ch": [\n${value.map((d) => `    ${JSON.stringify(d)}`).join(',\n')}\n  ]`
      : `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`,
  );
  return `{\n${lines.join(',\n')}\n}`;
}

/**
 * The one fixture factory of the contract tests: summary events shaped like the guide's, and span
 * records shaped like the SDK's. Tests state only what they change.
 */
import { componentResource } from '../../../src/contract/resource.js';
import { SPAN_KIND, STATUS_CODE, type SpanRecord } from '../../../src/contract/span-record.js';
import { eventMsg, type SummaryEvent } from '../../../src/contract/summary-event.js';

/** The guide's "Event JSON structure" example, verbatim (its trace id is the literal "a1b2c3d4-..."). */
export const GUIDE_EXAMPLE_TEXT = `{
"time": "2026-05-05T12:00:00.000Z",
"level": 30,
"service": "alakai-core",
"component": "core",
"trace_id": "a1b2c3d4-...",
"event": "slack.implementation",
"outcome": "success",
"final_status": "completed",
"duration_ms": 1234,
"context": { "trace_id": "a1b2c3d4-...", "component": "core" },
"steps": {
"verify_signature": "ok",
"parse_command": "ok",
"validate_args": "ok",
"enqueue": "ok"
},
"error": null,
"repo": { "full_name": "org/repo", "base_ref": "main" },
"task": { "task_id": "...", "task_type": "...", "source": "slack_implement" },
"msg": "[event] slack.implementation -> success"
}`;

export const TRACE_ID = '3f2c8a1e-9b4d-4c6e-8f7a-1d2e3c4b5a69';
export const OTEL_TRACE_ID = '3f2c8a1e9b4d4c6e8f7a1d2e3c4b5a69';

type Overrides = Partial<SummaryEvent> & Record<string, unknown>;

/** A valid, canonical summary event (as validateSummaryEvent returns it). `undefined` removes a field. */
export function summaryEvent(overrides: Overrides = {}): SummaryEvent {
  const component = overrides.component ?? 'core';
  const traceId = overrides.trace_id ?? TRACE_ID;
  const event = overrides.event ?? 'slack.implementation';
  const outcome = overrides.outcome ?? 'success';
  const base: Record<string, unknown> = {
    time: '2026-05-05T12:00:00.000Z',
    level: 30,
    service: `alakai-${component}`,
    component,
    trace_id: traceId,
    event,
    outcome,
    final_status: 'completed',
    duration_ms: 1234,
    context: { trace_id: traceId, component },
    steps: { verify_signature: 'ok', parse_command: 'ok', validate_args: 'ok', enqueue: 'ok' },
    error: null,
    repo: { full_name: 'org/repo', base_ref: 'main' },
    task: { task_id: 'T-1842', task_type: 'implementation', source: 'slack_implement' },
  };
  for (const [k, v] of Object.entries(overrides)) base[k] = v;
  base['msg'] = overrides.msg ?? eventMsg(event, outcome);
  for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k];
  return base as SummaryEvent;
}

/** One event per guide catalog row and runbook query: what the guide's queries read, populated. */
export function guideExampleEvents(): SummaryEvent[] {
  const worker = { component: 'worker', service: 'alakai-worker-implementation' };
  return [
    JSON.parse(GUIDE_EXAMPLE_TEXT) as SummaryEvent,
    summaryEvent({ event: 'coding.prompt', task: { task_id: 'T-7', task_type: 'prompt', source: 'github_issue' } }),
    summaryEvent({
      event: 'coding.implementation',
      component: 'orchestrator',
      service: 'alakai-orchestrator',
      final_status: 'slot_unavailable',
      outcome: 'skipped',
      steps: { receive_message: 'ok', acquire_slot: 'error', launch_task: '-' },
    }),
    summaryEvent({
      ...worker,
      event: 'coding.implementation',
      duration_ms: 412_003,
      final_status: 'pr_opened',
      steps: { clone: 'ok', run_agent: 'ok', push: 'ok', open_pr: 'ok' },
      agent: { provider: 'anthropic', model: 'claude-sonnet-4' },
      pull_request: { url: 'https://github.com/org/repo/pull/42', number: 42 },
    }),
    summaryEvent({
      ...worker,
      event: 'slack.implementation',
      outcome: 'error',
      final_status: 'agent_failed',
      steps: { clone: 'ok', run_agent: 'error', push: '-', open_pr: '-' },
      error: { type: 'AgentTimeoutError', message: 'agent did not finish within 900000 ms' },
      agent: { provider: 'openai', model: 'gpt-5' },
      slack: { user_id: 'U024BE7LH' },
    }),
    summaryEvent({
      event: 'slack.prompt',
      outcome: 'error',
      final_status: 'invalid_args',
      steps: { verify_signature: 'ok', parse_command: 'error' },
      error: { type: 'UsageError', message: 'missing prompt text' },
      slack: { user_id: 'U024BE7LH' },
      repo: undefined,
      task: undefined,
    }),
    summaryEvent({
      event: 'slack.clickup.ask',
      final_status: 'answered',
      steps: { verify_signature: 'ok', ask: 'ok' },
      repo: undefined,
    }),
    summaryEvent({
      event: 'slack.clickup.task',
      final_status: 'task_created',
      steps: {},
      task: { task_id: 'CU-86b1', source: 'clickup' },
    }),
  ];
}

export const SLICE_START_NS = 1_777_982_398_766_123_456n;

/** A span as the SDK records it: a core slice by default. */
export function span(overrides: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: OTEL_TRACE_ID,
    spanId: '1111111111111111',
    name: 'slack.implementation',
    kind: SPAN_KIND.SERVER,
    startTimeUnixNano: SLICE_START_NS,
    endTimeUnixNano: SLICE_START_NS + 1_234_567_890n,
    status: { code: STATUS_CODE.UNSET },
    attributes: {
      'alakai.event': 'slack.implementation',
      'alakai.outcome': 'success',
      'alakai.final_status': 'completed',
    },
    events: [],
    resource: componentResource('alakai-core', 'core'),
    scope: { name: 'alakai-otel' },
    ...overrides,
  };
}

/** A step span under `parent`, starting `offsetMs` after it. */
export function stepSpan(
  parent: SpanRecord,
  name: string,
  spanId: string,
  offsetMs: number,
  overrides: Partial<SpanRecord> = {},
): SpanRecord {
  const start = parent.startTimeUnixNano + BigInt(offsetMs) * 1_000_000n;
  return span({
    traceId: parent.traceId,
    spanId,
    parentSpanId: parent.spanId,
    name,
    kind: SPAN_KIND.INTERNAL,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 5_000_000n,
    attributes: { 'alakai.step': name },
    resource: parent.resource,
    scope: parent.scope,
    ...overrides,
  });
}

/**
 * fast-check generators for the round-trip properties: random bridged slices (span trees with
 * attributes of every type, statuses, events, kinds, scopes, resources) and random valid events.
 * Texts avoid secret shapes on purpose: sanitizing changes them, by design (see sanitize tests).
 */
import fc from 'fast-check';
import { componentResource } from '../../../src/contract/resource.js';
import type {
  AttributeValue,
  Attributes,
  SpanEventRecord,
  SpanKindValue,
  SpanRecord,
  StatusCodeValue,
} from '../../../src/contract/span-record.js';
import { eventMsg, type SummaryEvent } from '../../../src/contract/summary-event.js';
import { toOtelTraceId } from '../../../src/contract/trace-id.js';

const HOSTILE = new Set(['__proto__', 'constructor', 'prototype']);

export const hex16 = fc.stringMatching(/^[0-9a-f]{16}$/).filter((s) => s !== '0000000000000000');
export const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/).filter((s) => !/^0+$/.test(s));
/** Plain text: letters, digits, punctuation and spaces (no "_" or "-" runs that look like tokens). */
export const text = fc
  .stringMatching(/^[A-Za-z0-9 .,:;!?()'"/]{0,40}$/)
  .filter((s) => !/bearer|gh[pousr]|xox|akia|asia|secret|:\/\//i.test(s));
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/).filter((s) => !HOSTILE.has(s));
const noNegZero = (n: number) => (Object.is(n, -0) ? 0 : n);
const double = fc.double({ noNaN: true, noDefaultInfinity: true }).map(noNegZero);
const integer = fc.integer({ min: -1e9, max: 1e12 }).map(noNegZero);

export const attributeValue: fc.Arbitrary<AttributeValue> = fc.oneof(
  text,
  integer,
  double,
  fc.boolean(),
  fc.array(text, { maxLength: 4 }),
  fc.array(integer, { maxLength: 4 }),
  fc.array(double, { maxLength: 3 }),
  fc.array(fc.boolean(), { maxLength: 3 }),
);

/** Attribute keys of every family the mapping treats differently. */
const attributeKey = fc.oneof(
  fc.tuple(name, fc.option(name, { nil: undefined })).map(([a, b]) => (b ? `${a}.${b}` : a)),
  fc.tuple(name, name).map(([a, b]) => `alakai.${a}.${b}`),
  name.map((a) => `alakai.${a}`),
  fc.constantFrom('alakai.repo.full_name', 'alakai.pull_request.number', 'alakai.agent.model', 'alakai.slack.user_id'),
  fc.constantFrom(
    'alakai.json.task.parent',
    'alakai.json',
    'alakai.steps.clone',
    'alakai.context.request_id',
    'alakai.trace_id',
  ),
  fc.constantFrom(
    'error.type',
    'messaging.system',
    'messaging.destination.name',
    'alakai.steps.declared',
    'alakai.step',
  ),
);

export const attributes: fc.Arbitrary<Attributes> = fc
  .array(fc.tuple(attributeKey, attributeValue), { maxLength: 8 })
  .map((pairs) => {
    const out: Attributes = {};
    for (const [k, v] of pairs) out[k] = v;
    return out;
  });

const kind = fc.constantFrom<SpanKindValue>(0, 1, 2, 3, 4);
const status = fc.record(
  { code: fc.constantFrom<StatusCodeValue>(0, 1, 2), message: text.filter((s) => s.length > 0) },
  { requiredKeys: ['code'] },
);
const scope = fc.oneof(
  fc.constant({ name: 'alakai-otel' }),
  fc.record({ name: name, version: fc.stringMatching(/^[0-9]\.[0-9]{1,2}\.[0-9]$/) }, { requiredKeys: ['name'] }),
);
const component = fc.constantFrom('core', 'orchestrator', 'worker', 'scheduler');

function spanEvents(start: bigint): fc.Arbitrary<SpanEventRecord[]> {
  const exception = fc.record({
    name: fc.constant('exception'),
    timeUnixNano: fc.bigInt(0n, 5_000_000_000n).map((o) => start + o),
    attributes: fc.record(
      { 'exception.type': name, 'exception.message': text, 'exception.stacktrace': text },
      { requiredKeys: ['exception.type'] },
    ),
  });
  const other = fc.record({
    name: name,
    timeUnixNano: fc.bigInt(-1_000_000n, 5_000_000_000n).map((o) => start + o),
    attributes,
  });
  return fc.array(fc.oneof(exception, other), { maxLength: 3 });
}

export interface Slice {
  slice: SpanRecord;
  descendants: SpanRecord[];
}

/** A valid bridged slice: the slice span (it has alakai.event) and its descendants in this process. */
export const bridgedSlice: fc.Arbitrary<Slice> = fc
  .record({
    traceHex: hex32,
    originalTraceId: fc.option(
      fc.oneof(
        fc.stringMatching(/^[ -~]{1,40}$/),
        fc.uuid().map((u) => u.toUpperCase()),
      ),
      { nil: undefined },
    ),
    spanId: hex16,
    parent: fc.option(hex16, { nil: undefined }),
    eventName: fc.stringMatching(/^[a-z]{1,10}(\.[a-z]{1,10}){0,2}$/),
    name: fc.option(name, { nil: undefined }),
    outcome: fc.option(fc.constantFrom('success', 'error', 'skipped', 'weird'), { nil: undefined }),
    finalStatus: fc.option(name, { nil: undefined }),
    kind,
    status,
    start: fc.bigInt(946_684_800_000_000_000n, 4_102_444_800_000_000_000n),
    duration: fc.bigInt(0n, 10_000_000_000_000n),
    attributes,
    declared: fc.option(fc.uniqueArray(name, { maxLength: 4 }), { nil: undefined }),
    service: fc.constantFrom('alakai-core', 'alakai-orchestrator', 'alakai-worker-implementation', 'svc'),
    component,
    extraResource: fc.option(attributes, { nil: undefined }),
    scope,
    childCount: fc.nat(6),
    seed: fc.array(
      fc.record({
        spanId: hex16,
        parentPick: fc.nat(),
        external: fc.boolean(),
        name,
        kind,
        status,
        offset: fc.bigInt(-1_000_000n, 5_000_000_000n),
        duration: fc.bigInt(0n, 5_000_000_000n),
        attributes,
        step: fc.option(name, { nil: undefined }),
        scope,
        otherResource: fc.boolean(),
      }),
      { maxLength: 6 },
    ),
  })
  .chain((r) =>
    fc.tuple(fc.constant(r), spanEvents(r.start), fc.array(spanEvents(r.start), { minLength: 6, maxLength: 6 })),
  )
  .map(([r, sliceEvents, childEvents]) => {
    let traceId = r.traceHex;
    const attrs: Attributes = { ...r.attributes, 'alakai.event': r.eventName };
    if (r.originalTraceId !== undefined) {
      const mapped = toOtelTraceId(r.originalTraceId);
      if (mapped.ok) {
        traceId = mapped.traceId;
        attrs['alakai.trace_id'] = r.originalTraceId;
      }
    }
    if (r.outcome !== undefined) attrs['alakai.outcome'] = r.outcome;
    if (r.finalStatus !== undefined) attrs['alakai.final_status'] = r.finalStatus;
    if (r.declared !== undefined) attrs['alakai.steps.declared'] = r.declared;
    let resource = componentResource(r.service, r.component);
    if (r.extraResource) resource = { ...resource, ...r.extraResource };
    const slice: SpanRecord = {
      traceId,
      spanId: r.spanId,
      name: r.name ?? r.eventName,
      kind: r.kind,
      startTimeUnixNano: r.start,
      endTimeUnixNano: r.start + r.duration,
      status: r.status,
      attributes: attrs,
      events: sliceEvents,
      resource,
      scope: r.scope,
    };
    if (r.parent !== undefined && r.parent !== r.spanId) slice.parentSpanId = r.parent;
    const used = new Set([slice.spanId, slice.parentSpanId]);
    const descendants: SpanRecord[] = [];
    r.seed.forEach((s, i) => {
      if (used.has(s.spanId)) return;
      used.add(s.spanId);
      const candidates = [slice, ...descendants];
      const parent =
        s.external && descendants.length > 0
          ? 'ffffffffffff0001'
          : candidates[s.parentPick % candidates.length]!.spanId;
      const a: Attributes = { ...s.attributes };
      if (s.step !== undefined) a['alakai.step'] = s.step;
      const start = r.start + s.offset;
      descendants.push({
        traceId,
        spanId: s.spanId,
        parentSpanId: parent,
        name: s.name,
        kind: s.kind,
        startTimeUnixNano: start,
        endTimeUnixNano: start + s.duration,
        status: s.status,
        attributes: a,
        events: childEvents[i]!,
        resource: s.otherResource ? { ...resource, 'host.name': 'ip-10-0-1-7' } : resource,
        scope: s.scope,
      });
    });
    // Children finish before their slice in real life, but input order is whatever the processor saw.
    return { slice, descendants: descendants.reverse() };
  });

/** JSON values a domain field may hold (no hostile keys, no -0). */
const domainValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    integer,
    double,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(name, fc.constantFrom('a.b', '', 'with space', 'x-y')), tie('value'), { maxKeys: 3 }),
  ),
})).value;

const domainKey = fc
  .oneof(fc.constantFrom('pid', 'hostname', 'json', 'legacy', 'step', 'dotted.key', ''), name)
  .filter(
    (k) =>
      ![
        'repo',
        'task',
        'agent',
        'pull_request',
        'slack',
        'time',
        'level',
        'service',
        'component',
        'trace_id',
        'event',
        'outcome',
        'final_status',
        'duration_ms',
        'context',
        'steps',
        'error',
        'msg',
        'span_id',
        'parent_span_id',
        'otel',
      ].includes(k),
  );

/** The guide's domain objects, typed as its queries read them, with extra members of any JSON. */
const guideDomain = fc.record(
  {
    repo: fc.record({ full_name: text, base_ref: text, extra: domainValue }, { requiredKeys: [] }),
    task: fc.record({ task_id: text, task_type: text, source: text }, { requiredKeys: [] }),
    agent: fc.record({ provider: text, model: text }, { requiredKeys: [] }),
    pull_request: fc.record(
      { url: text, number: fc.integer({ min: 1, max: 1e6 }), draft: fc.boolean() },
      { requiredKeys: [] },
    ),
    slack: fc.record({ user_id: fc.stringMatching(/^U[A-Z0-9]{8}$/) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

/** A valid legacy summary event in canonical form (what validateSummaryEvent returns). */
export const legacyEvent: fc.Arbitrary<SummaryEvent> = fc
  .record({
    traceId: fc.oneof(
      fc.uuid(),
      fc.uuid().map((u) => u.toUpperCase()),
      hex32,
      fc.stringMatching(/^[ -~]{1,60}$/),
    ),
    timeMs: fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
    durationMs: fc.oneof(
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.integer({ min: 0, max: 10_000_000 }).map((n) => n / 1000),
    ),
    service: fc.constantFrom('alakai-core', 'alakai-orchestrator', 'alakai-worker-implementation'),
    component,
    event: fc.constantFrom(
      'coding.prompt',
      'coding.implementation',
      'slack.prompt',
      'slack.implementation',
      'slack.clickup.ask',
    ),
    outcome: fc.constantFrom<'success' | 'error' | 'skipped'>('success', 'error', 'skipped'),
    finalStatus: name,
    contextExtras: fc.dictionary(
      fc.oneof(name, fc.constantFrom('a.b')).filter((k) => k !== 'trace_id' && k !== 'component'),
      domainValue,
      { maxKeys: 2 },
    ),
    steps: fc.dictionary(
      fc.oneof(name, fc.constantFrom('declared', 'a.b', '1')),
      fc.constantFrom<'ok' | 'error' | '-'>('ok', 'error', '-'),
      { maxKeys: 5 },
    ),
    error: fc.option(fc.record({ type: name, message: text }), { nil: null }),
    guide: guideDomain,
    domain: fc.dictionary(domainKey, domainValue, { maxKeys: 5 }),
  })
  .map((r) => {
    const event: Record<string, unknown> = {
      time: new Date(r.timeMs).toISOString(),
      level: 30,
      service: r.service,
      component: r.component,
      trace_id: r.traceId,
      event: r.event,
      outcome: r.outcome,
      final_status: r.finalStatus,
      duration_ms: Math.min(r.durationMs, r.timeMs),
      context: { trace_id: r.traceId, component: r.component, ...r.contextExtras },
      steps: r.steps,
      error: r.error,
    };
    for (const [k, v] of Object.entries(r.guide)) event[k] = v;
    for (const [k, v] of Object.entries(r.domain)) event[k] = v;
    event['msg'] = eventMsg(r.event, r.outcome);
    return event as SummaryEvent;
  });

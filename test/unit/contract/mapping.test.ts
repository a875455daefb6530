/**
 * The mapping rules one by one (docs/mapping.md): what a slice's spans become in the summary event,
 * and what a legacy event becomes as a span.
 */
import { describe, expect, it } from 'vitest';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { summaryEventToSpans, legacySpanId, isBridgedEvent } from '../../../src/contract/event-to-spans.js';
import { decodeOtelExtension, MAX_DESCENDANTS, MAX_EXTENSION_CHARS } from '../../../src/contract/otel-extension.js';
import { parseLogLine } from '../../../src/contract/parse.js';
import { validateSummaryEvent } from '../../../src/contract/validate.js';
import { componentResource } from '../../../src/contract/resource.js';
import { sliceToSummaryEvent } from '../../../src/contract/spans-to-event.js';
import { SPAN_KIND, STATUS_CODE } from '../../../src/contract/span-record.js';
import type { SummaryEvent } from '../../../src/contract/summary-event.js';
import { GUIDE_EXAMPLE_TEXT, span, stepSpan, summaryEvent, TRACE_ID } from './fixtures.js';

function readBack(event: SummaryEvent, extra: Record<string, unknown> = {}): SummaryEvent {
  const parsed = parseLogLine(JSON.stringify({ ...event, ...extra }));
  if (parsed.kind !== 'summary') throw new Error(JSON.stringify(parsed));
  return parsed.event;
}

describe('slice spans → summary event', () => {
  it('writes the guide fields in the guide order, from attributes, resource, times and steps', () => {
    const slice = span({
      attributes: {
        'alakai.event': 'slack.implementation',
        'alakai.outcome': 'success',
        'alakai.final_status': 'completed',
        'alakai.repo.full_name': 'org/repo',
      },
    });
    const event = sliceToSummaryEvent(slice, [stepSpan(slice, 'enqueue', '2222222222222222', 1)]);
    expect(Object.keys(event)).toEqual([
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
      'repo',
      'msg',
      'span_id',
      'otel',
    ]);
    expect(event).toMatchObject({
      time: '2026-05-05T12:00:00.000Z', // end = start + 1234.567890 ms, floored to the ms
      level: 30,
      service: 'alakai-core',
      component: 'core',
      trace_id: TRACE_ID,
      event: 'slack.implementation',
      outcome: 'success',
      final_status: 'completed',
      duration_ms: 1234.56789,
      context: { trace_id: TRACE_ID, component: 'core' },
      steps: { enqueue: 'ok' },
      error: null,
      repo: { full_name: 'org/repo' },
      msg: '[event] slack.implementation -> success',
      span_id: '1111111111111111',
    });
  });

  it('lists declared steps in order with "-" for those that never ran, then undeclared ones in start order; a retry reports its last run', () => {
    const slice = span({
      attributes: {
        'alakai.event': 'coding.implementation',
        'alakai.steps.declared': ['clone', 'run_agent', 'push', 'open_pr'],
      },
    });
    const failed = { code: STATUS_CODE.ERROR } as const;
    const steps = [
      stepSpan(slice, 'cleanup', '2000000000000006', 90),
      stepSpan(slice, 'run_agent', '2000000000000003', 20, { status: failed }),
      stepSpan(slice, 'clone', '2000000000000002', 10),
      stepSpan(slice, 'run_agent', '2000000000000004', 40),
      stepSpan(slice, 'push', '2000000000000005', 60, { status: failed }),
      stepSpan(slice, 'audit', '2000000000000001', 5),
    ];
    expect(sliceToSummaryEvent(slice, steps).steps).toEqual({
      clone: 'ok',
      run_agent: 'ok',
      push: 'error',
      open_pr: '-',
      audit: 'ok',
      cleanup: 'ok',
    });
    expect(Object.keys(sliceToSummaryEvent(slice, steps).steps)).toEqual([
      'clone',
      'run_agent',
      'push',
      'open_pr',
      'audit',
      'cleanup',
    ]);
  });

  it('leaves the steps of a nested slice to that slice', () => {
    const slice = span();
    const nested = stepSpan(slice, 'inner', '3000000000000001', 1, { attributes: { 'alakai.event': 'inner.slice' } });
    const innerStep = stepSpan(nested, 'inner_step', '3000000000000002', 2);
    const ownStep = stepSpan(slice, 'own', '3000000000000003', 3);
    expect(sliceToSummaryEvent(slice, [nested, innerStep, ownStep]).steps).toEqual({ own: 'ok' });
  });

  it('takes error from an ERROR status: type from the exception event (else error.type), message sanitized', () => {
    const token = 'ghp_' + 'FAKEfake0123456789FAKEfake0123456789';
    const failed = span({
      status: { code: STATUS_CODE.ERROR, message: 'boom' },
      attributes: { 'alakai.event': 'slack.implementation', 'alakai.outcome': 'error', 'error.type': 'HttpError' },
      events: [
        {
          name: 'exception',
          timeUnixNano: span().endTimeUnixNano,
          attributes: { 'exception.type': 'RequestError', 'exception.message': `401 for ${token}` },
        },
      ],
    });
    const event = sliceToSummaryEvent(failed, []);
    expect(event.error).toEqual({ type: 'RequestError', message: '401 for [REDACTED:github_token]' });
    expect(event.otel).not.toContain(token); // the exception event travels in the extension sanitized too
    expect(sliceToSummaryEvent({ ...failed, events: [] }, []).error).toEqual({ type: 'HttpError', message: 'boom' });
    expect(sliceToSummaryEvent({ ...failed, status: { code: STATUS_CODE.OK } }, []).error).toBeNull();
  });

  it('derives outcome and final_status when the slice did not set them', () => {
    const bare = span({ attributes: { 'alakai.event': 'slack.prompt' } });
    expect(sliceToSummaryEvent(bare, [])).toMatchObject({ outcome: 'success', final_status: 'completed' });
    expect(sliceToSummaryEvent({ ...bare, status: { code: STATUS_CODE.ERROR } }, [])).toMatchObject({
      outcome: 'error',
      final_status: 'failed',
    });
  });

  it('maps alakai.<obj>.<key> attributes to domain objects keeping types; JSON text for values without an attribute type', () => {
    const slice = span({
      attributes: {
        'alakai.event': 'coding.implementation',
        'alakai.pull_request.number': 42,
        'alakai.pull_request.url': 'https://github.com/org/repo/pull/42',
        'alakai.agent.model': 'claude-sonnet-4',
        'alakai.labels': ['bug', 'p1'],
        'alakai.json.task.parent': 'null',
        'alakai.json': '{"odd.key":{"x":1}}',
        'messaging.system': 'aws_sqs',
      },
    });
    const event = sliceToSummaryEvent(slice, []);
    expect(event.pull_request).toEqual({ number: 42, url: 'https://github.com/org/repo/pull/42' });
    expect(event.agent).toEqual({ model: 'claude-sonnet-4' });
    expect(event['labels']).toEqual(['bug', 'p1']);
    expect(event.task).toEqual({ parent: null });
    expect(event['odd.key']).toEqual({ x: 1 });
    expect(event['messaging']).toBeUndefined(); // non-alakai attributes stay in the extension only
  });

  it('keeps a domain member of the wrong type out of the event (the extension still carries it)', () => {
    const slice = span({
      attributes: { 'alakai.event': 'x', 'alakai.pull_request.number': '42', 'alakai.repo.full_name': 'org/repo' },
    });
    const event = sliceToSummaryEvent(slice, []);
    expect(event.pull_request).toBeUndefined();
    expect(summaryEventToSpans(readBack(event))[0]!.attributes['alakai.pull_request.number']).toBe('42');
  });

  it('writes the original trace id when the slice carries one that maps to its trace id', () => {
    const slice = span({
      traceId: '39311870d84a3e094d7d936f2b39c176',
      attributes: { 'alakai.event': 'x', 'alakai.trace_id': 'a1b2c3d4-...' },
    });
    expect(sliceToSummaryEvent(slice, []).trace_id).toBe('a1b2c3d4-...');
    const unrelated = span({ attributes: { 'alakai.event': 'x', 'alakai.trace_id': 'a1b2c3d4-...' } });
    expect(sliceToSummaryEvent(unrelated, []).trace_id).toBe(TRACE_ID);
  });

  it("takes the slice times from the extension, never from pino's `time`, and never turns logger bindings into attributes", () => {
    const slice = span();
    const step = stepSpan(slice, 'enqueue', '2222222222222222', 1);
    const event = sliceToSummaryEvent(slice, [step]);
    // pino writes its own time (a ms later) and its base bindings next to the event's fields.
    const logged = readBack(event, { time: '2026-05-05T12:00:00.001Z', pid: 4242, hostname: 'ip-10-0-1-7' });
    expect(logged['pid']).toBe(4242);
    expect(summaryEventToSpans(logged)).toEqual(
      [slice, step].map((s) => expect.objectContaining({ ...s, attributes: { ...s.attributes } })),
    );
    expect(Object.keys(summaryEventToSpans(logged)[0]!.attributes)).not.toContain('alakai.pid');
  });

  it('caps the extension: at most 256 descendants and 64 KiB, with the dropped count recorded', () => {
    const slice = span();
    const many = Array.from({ length: 300 }, (_, i) =>
      stepSpan(slice, `s${i}`, (0x4000000000000000n + BigInt(i)).toString(16), i),
    );
    const event = sliceToSummaryEvent(slice, many);
    const ext = decodeOtelExtension(event.otel!);
    expect(ext.ok && [ext.extension.descendants.length, ext.extension.dropped]).toEqual([
      MAX_DESCENDANTS,
      300 - MAX_DESCENDANTS,
    ]);

    const heavy = many.slice(0, 100).map((s) => ({ ...s, attributes: { ...s.attributes, blob: 'z'.repeat(2000) } }));
    const capped = sliceToSummaryEvent(slice, heavy);
    expect(capped.otel!.length).toBeLessThanOrEqual(MAX_EXTENSION_CHARS);
    const rebuilt = summaryEventToSpans(readBack(capped));
    expect(rebuilt.length).toBeGreaterThan(1);
    expect(rebuilt.slice(1)).toEqual(heavy.slice(0, rebuilt.length - 1)); // what is kept is exact
    const dropped = decodeOtelExtension(capped.otel!);
    expect(dropped.ok && dropped.extension.dropped).toBe(100 - (rebuilt.length - 1));
  });
});

describe('legacy summary event → span', () => {
  const errorEvent = summaryEvent({
    component: 'worker',
    service: 'alakai-worker-implementation',
    outcome: 'error',
    final_status: 'agent_failed',
    steps: { clone: 'ok', run_agent: 'error', push: '-' },
    error: { type: 'AgentTimeoutError', message: 'agent did not finish' },
    pull_request: { number: 42 },
  });

  it('becomes one parentless span: end = time, start = end − duration_ms, steps as attributes, error as status + exception', () => {
    const [only, ...rest] = summaryEventToSpans(errorEvent);
    expect(rest).toEqual([]);
    const end = BigInt(Date.parse('2026-05-05T12:00:00.000Z')) * 1_000_000n;
    expect(only).toEqual({
      traceId: '3f2c8a1e9b4d4c6e8f7a1d2e3c4b5a69',
      // The event alone gives the unlinked span: its own id namespace, and the marker below.
      spanId: legacySpanId(errorEvent, 'unlinked'),
      name: 'slack.implementation',
      kind: SPAN_KIND.CONSUMER,
      startTimeUnixNano: end - 1_234_000_000n,
      endTimeUnixNano: end,
      status: { code: STATUS_CODE.ERROR, message: 'agent did not finish' },
      attributes: {
        'alakai.legacy': true,
        'alakai.event': 'slack.implementation',
        'alakai.steps.clone': 'ok',
        'alakai.steps.run_agent': 'error',
        'alakai.steps.push': '-',
        'alakai.repo.full_name': 'org/repo',
        'alakai.repo.base_ref': 'main',
        'alakai.task.task_id': 'T-1842',
        'alakai.task.task_type': 'implementation',
        'alakai.task.source': 'slack_implement',
        'alakai.pull_request.number': 42,
        'alakai.outcome': 'error',
        'alakai.final_status': 'agent_failed',
        'error.type': 'AgentTimeoutError',
        'alakai.legacy.linked': false,
      },
      events: [
        {
          name: 'exception',
          timeUnixNano: end,
          attributes: { 'exception.type': 'AgentTimeoutError', 'exception.message': 'agent did not finish' },
        },
      ],
      resource: componentResource('alakai-worker-implementation', 'worker'),
      scope: { name: 'alakai-otel' },
    });
    expect(isBridgedEvent(errorEvent)).toBe(false);
  });

  it('gets a deterministic span id: the same line (guide fields in any order) → the same id, another event → another id', () => {
    const read = (text: string) => {
      const parsed = parseLogLine(text);
      if (parsed.kind !== 'summary') throw new Error(JSON.stringify(parsed));
      return parsed.event;
    };
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(errorEvent).reverse()));
    expect(legacySpanId(read(reordered))).toBe(legacySpanId(errorEvent));
    expect(legacySpanId(read(JSON.stringify({ ...errorEvent, time: Date.parse(errorEvent.time) })))).toBe(
      legacySpanId(errorEvent),
    );
    expect(legacySpanId(summaryEvent({ duration_ms: 1235 }))).not.toBe(legacySpanId(summaryEvent()));
    expect(legacySpanId(errorEvent)).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
  });

  it('linked and unlinked ids never meet: the linked id is what every earlier backfill wrote, the unlinked one differs', () => {
    // The linked id before "one id, one span" existed, pinned: earlier backfills stay deduplicated.
    expect(legacySpanId(errorEvent)).toBe('34fd1825e51b624b');
    expect(legacySpanId(errorEvent, 'linked')).toBe('34fd1825e51b624b');
    expect(legacySpanId(errorEvent, 'unlinked')).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
    expect(legacySpanId(errorEvent, 'unlinked')).not.toBe(legacySpanId(errorEvent));
    expect(legacySpanId(summaryEvent({ duration_ms: 1235 }), 'unlinked')).not.toBe(
      legacySpanId(summaryEvent(), 'unlinked'),
    );
  });

  it('comes back as the guide example line, byte for byte', () => {
    const parsed = parseLogLine(GUIDE_EXAMPLE_TEXT);
    if (parsed.kind !== 'summary') throw new Error('not a summary');
    const [only] = summaryEventToSpans(parsed.event);
    expect(JSON.stringify(sliceToSummaryEvent(only!, []))).toBe(JSON.stringify(JSON.parse(GUIDE_EXAMPLE_TEXT)));
  });

  it('a bridged event whose extension is corrupt is treated as legacy rather than failing', () => {
    const bridged = { ...sliceToSummaryEvent(span(), []), otel: '{"v":1,"s":"x"}' } as SummaryEvent;
    const spans = summaryEventToSpans(bridged);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['alakai.legacy']).toBe(true);
  });
});

describe('componentResource', () => {
  it('is the resource every service exports; no log group for an unknown component', () => {
    expect(componentResource('alakai-orchestrator', 'orchestrator')).toEqual({
      'service.name': 'alakai-orchestrator',
      'service.namespace': 'alakai',
      'cloud.platform': 'aws_ecs',
      'aws.log.group.names': ['/ecs/alakai-orchestrator'],
      'alakai.component': 'orchestrator',
    });
    expect(componentResource('x', 'toString')).toEqual({
      'service.name': 'x',
      'service.namespace': 'alakai',
      'cloud.platform': 'aws_ecs',
      'alakai.component': 'toString',
    });
  });
});

describe('values JSON cannot carry', () => {
  it('a NaN attribute or an array holding null is left out of the rebuilt span, not the whole extension', () => {
    const slice = span({
      attributes: { 'alakai.event': 'x', ratio: Number.NaN, list: ['a', null as unknown as string], ok: 1 },
    });
    const spans = summaryEventToSpans(readBack(sliceToSummaryEvent(slice, [])));
    expect(spans[0]!.attributes['alakai.legacy']).toBeUndefined(); // still bridged
    expect({ ...spans[0]!.attributes }).toEqual({ 'alakai.event': 'x', ok: 1 });
  });
});

describe('values JSON cannot carry, with a reordered attribute map', () => {
  it('keeps the other attributes', () => {
    const slice = span({
      attributes: {
        'alakai.outcome': 'success',
        'alakai.event': 'x',
        ratio: Number.POSITIVE_INFINITY,
        'alakai.final_status': 'completed',
      },
    });
    const spans = summaryEventToSpans(readBack(sliceToSummaryEvent(slice, [])));
    expect(spans[0]!.attributes['alakai.legacy']).toBeUndefined();
    expect({ ...spans[0]!.attributes }).toEqual({
      'alakai.outcome': 'success',
      'alakai.event': 'x',
      'alakai.final_status': 'completed',
    });
  });
});

describe('steps within what a reader accepts', () => {
  it('writes at most 256 steps with names ≤ 256 characters, so the line reads back; the spans stay exact', () => {
    const slice = span({
      attributes: {
        'alakai.event': 'x',
        'alakai.steps.declared': ['y'.repeat(300), ...Array.from({ length: 300 }, (_, i) => `s${i}`)],
      },
    });
    const event = sliceToSummaryEvent(slice, []);
    expect(Object.keys(event.steps)).toHaveLength(256);
    expect(Object.keys(event.steps)[0]).toBe('s0');
    const spans = summaryEventToSpans(readBack(event));
    expect({ ...spans[0]!.attributes }).toEqual(slice.attributes);
  });
});

describe('Logs Insights discovery', () => {
  // Logs Insights discovers each JSON leaf as a field (nested keys joined by ".", arrays per index).
  function discoveredFields(value: unknown, prefix = ''): string[] {
    if (typeof value !== 'object' || value === null) return [prefix];
    return Object.entries(value).flatMap(([k, v]) => discoveredFields(v, prefix ? `${prefix}.${k}` : k));
  }

  it('the bridge adds three fields to the event, however many descendant spans the slice has', () => {
    const slice = span();
    const descendants = Array.from({ length: 200 }, (_, i) =>
      stepSpan(slice, `GET /items/${i}`, (0x5000000000000000n + BigInt(i)).toString(16), i, {
        kind: SPAN_KIND.CLIENT,
        attributes: { 'http.request.method': 'GET' },
      }),
    );
    const bridged = sliceToSummaryEvent(slice, descendants);
    const legacy = Object.fromEntries(
      Object.entries(bridged).filter(([k]) => !['span_id', 'parent_span_id', 'otel'].includes(k)),
    );
    const extra = discoveredFields(bridged).filter((f) => !discoveredFields(legacy).includes(f));
    expect(extra).toEqual(['span_id', 'otel']);
    expect(discoveredFields(legacy).length).toBeLessThanOrEqual(200 - 3);
  });
});

describe('never throws', () => {
  it('summaryEventToSpans on an event that skipped validation and breaks its type yields no spans', () => {
    expect(summaryEventToSpans({ ...summaryEvent(), steps: undefined } as unknown as SummaryEvent)).toEqual([]);
  });

  it('validateSummaryEvent on a value with a throwing getter rejects it as its own failure, said to diag, not as the input being no object', () => {
    const value = Object.defineProperty({ ...summaryEvent() }, 'repo', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    const said: unknown[][] = [];
    diag.setLogger(
      {
        error: (...args: unknown[]) => said.push(args),
        warn: () => {},
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      DiagLogLevel.ERROR,
    );
    try {
      expect(validateSummaryEvent(value)).toMatchObject({ ok: false, reason: 'internal_error' });
    } finally {
      diag.disable();
    }
    expect(said).toHaveLength(1);
    expect(String(said[0]![0])).toContain('validateSummaryEvent failed');
    expect((said[0]![1] as Error).message).toBe('boom');
  });
});

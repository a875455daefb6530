/**
 * Validation of summary events from outside: the guide's examples pass both the published JSON
 * Schema (ajv, draft 2020-12) and validateSummaryEvent; each kind of defect is refused or
 * normalized with a named reason, never a throw, never prototype pollution.
 */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  stepLineField,
  stepLineFieldNames,
  stepLineFields,
  stepLineTimeNs,
} from '../../../src/backfill/assembly/step-line-fields.js';
import { parseLogLine, type ParsedLine } from '../../../src/contract/parse.js';
import { sliceToSummaryEvent } from '../../../src/contract/spans-to-event.js';
import { validateSummaryEvent } from '../../../src/contract/validate.js';
import { bridgedSlice, legacyEvent } from './arbitraries.js';
import { GUIDE_EXAMPLE_TEXT, guideExampleEvents, summaryEvent, TRACE_ID } from './fixtures.js';

const schema = JSON.parse(readFileSync(new URL('../../../schema/summary-event.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020.default({ strict: true, allErrors: true });
const schemaValid = ajv.compile(schema);

function line(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify(summaryEvent(overrides));
}

function rejection(parsed: ParsedLine): string | undefined {
  return parsed.kind === 'rejected' ? parsed.reason : undefined;
}

const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();
afterAll(() => {
  // Nothing any test fed in may have reached Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeysBefore);
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
});

describe('the guide examples', () => {
  it('validate against the JSON Schema and through validateSummaryEvent, unchanged', () => {
    for (const event of guideExampleEvents()) {
      expect(schemaValid(event), JSON.stringify(schemaValid.errors)).toBe(true);
      const result = validateSummaryEvent(event);
      expect(result).toEqual({ ok: true, event });
    }
  });

  it('reads the guide example line (multi-line, as printed) as a summary event', () => {
    const parsed = parseLogLine(GUIDE_EXAMPLE_TEXT);
    expect(parsed.kind).toBe('summary');
    if (parsed.kind === 'summary')
      expect(JSON.stringify(parsed.event)).toBe(JSON.stringify(JSON.parse(GUIDE_EXAMPLE_TEXT)));
  });

  it('every event validateSummaryEvent accepts (legacy or bridged) matches the schema', () => {
    fc.assert(
      fc.property(legacyEvent, (event) => {
        const result = validateSummaryEvent(event);
        expect(result.ok && schemaValid(result.event)).toBe(true);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(bridgedSlice, ({ slice, descendants }) => {
        const event = sliceToSummaryEvent(slice, descendants);
        expect(schemaValid(JSON.parse(JSON.stringify(event))), JSON.stringify(schemaValid.errors)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

const ONE_MB = 'x'.repeat(1_000_000);

// [what, line, reason]: each defect of the list, refused with a stable name.
const DEFECTS: Array<[string, string, string]> = [
  ['missing trace_id', line({ trace_id: undefined, context: { component: 'core' } }), 'missing_trace_id'],
  ['trace_id of the wrong type', line({ trace_id: 42 }), 'invalid_trace_id'],
  ['empty trace_id', line({ trace_id: '', context: undefined }), 'invalid_trace_id'],
  ['trace_id with control characters', line({ trace_id: 'abc\u0000def', context: undefined }), 'invalid_trace_id'],
  ['oversize trace_id', line({ trace_id: 'a'.repeat(257), context: undefined }), 'invalid_trace_id'],
  ['duration_ms as a string', line({ duration_ms: '1234' }), 'bad_duration'],
  ['negative duration_ms', line({ duration_ms: -1 }), 'bad_duration'],
  [
    'non-finite duration_ms (1e999 parses as Infinity)',
    line().replace('"duration_ms":1234', '"duration_ms":1e999'),
    'bad_duration',
  ],
  ['missing duration_ms', line({ duration_ms: undefined }), 'bad_duration'],
  ['unknown outcome', line({ outcome: 'maybe', msg: '[event] slack.implementation -> maybe' }), 'bad_outcome'],
  ['time that is not a time', line({ time: 'yesterday' }), 'bad_time'],
  ['time before 1970', line({ time: -5 }), 'bad_time'],
  ['level other than info', line({ level: 50 }), 'bad_level'],
  ['service of the wrong type', line({ service: ['a'] }), 'bad_type:service'],
  ['missing event name', JSON.stringify({ ...summaryEvent(), event: undefined }), 'missing_field:event'],
  ['final_status of the wrong type', line({ final_status: 3 }), 'bad_type:final_status'],
  ['1 MB final_status', line({ final_status: ONE_MB }), 'too_long:final_status'],
  ['steps not an object', line({ steps: ['ok'] }), 'bad_type:steps'],
  ['unknown step status', line({ steps: { clone: 'done' } }), 'bad_type:steps'],
  ['error of the wrong type', line({ error: 'boom' }), 'bad_type:error'],
  ['context not an object', line({ context: 'core' }), 'bad_type:context'],
  [
    'context.trace_id contradicting trace_id',
    line({ context: { trace_id: 'other', component: 'core' } }),
    'context_mismatch',
  ],
  ['msg for another event', line({ msg: '[event] coding.prompt -> success' }), 'msg_mismatch'],
  ['pull_request.number as text', line({ pull_request: { number: '42' } }), 'bad_type:pull_request'],
  ['repo not an object', line({ repo: 'org/repo' }), 'bad_type:repo'],
  ['__proto__ key at the top', line().replace('{"time"', '{"__proto__":{"polluted":1},"time"'), 'hostile_key'],
  ['constructor key nested', line({ task: { meta: { constructor: { prototype: { polluted: 1 } } } } }), 'hostile_key'],
  [
    'prototype key in context',
    line({ context: { trace_id: TRACE_ID, component: 'core', prototype: 1 } }),
    'hostile_key',
  ],
  ['1 MB domain value', line({ repo: { full_name: ONE_MB } }), 'value_too_long'],
  ['1.2 MB line', line({ notes: 'y'.repeat(1_200_000) }), 'too_large'],
  ['JSON nested 100 deep', line({ notes: JSON.parse('['.repeat(100) + ']'.repeat(100)) }), 'too_deep'],
  ['span_id without otel', line({ span_id: 'aaaaaaaaaaaaaaaa' }), 'bad_extension'],
  ['otel that is not the extension', line({ span_id: 'aaaaaaaaaaaaaaaa', otel: '{"v":9}' }), 'bad_extension'],
  ['all-zero span_id', line({ span_id: '0000000000000000', otel: '{"v":1,"s":"0","d":0}' }), 'bad_extension'],
  ['not JSON', '2026-05-05T12:00:00Z INFO [event] slack.implementation -> success', 'not_json'],
  ['JSON array', '[{"trace_id":"x"}]', 'not_object'],
];

describe('defective summary events', () => {
  it.each(DEFECTS)('%s → rejected with its reason', (_what, text, reason) => {
    expect(rejection(parseLogLine(text))).toBe(reason);
  });

  it('the same defects given as values to validateSummaryEvent give the same reasons', () => {
    for (const [what, text, reason] of DEFECTS) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      if (reason === 'too_large' || reason === 'not_object') continue;
      const result = validateSummaryEvent(value);
      expect(result.ok ? 'ok' : result.reason, what).toBe(reason);
    }
  });

  it('a 1 MB error message is normalized: sanitized and capped, not refused', () => {
    const parsed = parseLogLine(line({ outcome: 'error', error: { type: 'Error', message: ONE_MB } }));
    expect(parsed.kind).toBe('summary');
    if (parsed.kind === 'summary') expect(parsed.event.error!.message).toHaveLength(1024);
  });

  it('never throws and never pollutes, whatever the line', () => {
    const base = line();
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat(base.length), fc.nat(base.length), (junk, at, cut) => {
        // Splice junk into a real line, or cut it short: most results are not JSON, some are odd JSON.
        const mutated = base.slice(0, at) + junk + base.slice(Math.max(at, cut));
        expect(() => parseLogLine(mutated)).not.toThrow();
        expect(() =>
          validateSummaryEvent(JSON.parse(JSON.stringify({ ...summaryEvent(), [junk]: junk }))),
        ).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});

describe('normalization', () => {
  it('rebuilds a missing context, level, error and msg; rewrites epoch-ms and offset times to ISO UTC', () => {
    const expected = summaryEvent();
    const variants = [
      { ...expected, context: undefined },
      { ...expected, level: undefined, error: undefined, msg: undefined },
      { ...expected, level: 'info' },
      { ...expected, time: Date.parse(expected.time) },
      { ...expected, time: '2026-05-05T14:00:00+02:00' },
      { ...expected, time: '2026-05-05T12:00:00.000400Z' },
      { ...expected, component: undefined },
    ];
    for (const variant of variants) {
      const parsed = parseLogLine(JSON.stringify(variant));
      // With the OTel trace id and the time in ms that the backfill groups and orders lines by.
      expect(parsed).toEqual({
        kind: 'summary',
        event: expected,
        traceId: expected.trace_id.replace(/-/g, ''),
        timeMs: Date.parse(expected.time),
      });
    }
  });

  it('keeps duration_ms to nanosecond precision, the most a span holds', () => {
    const parsed = parseLogLine(line({ duration_ms: 12.3456789012 }));
    expect(parsed.kind === 'summary' && parsed.event.duration_ms).toBe(12.345679);
  });

  it('drops members of error other than type and message, and sanitizes the message', () => {
    const parsed = parseLogLine(
      line({
        outcome: 'error',
        error: { type: 'HttpError', message: 'GET https://bot:hunter2@api.example.com failed', stack: 'at x' },
      }),
    );
    expect(parsed.kind === 'summary' && parsed.event.error).toEqual({
      type: 'HttpError',
      message: 'GET https://[REDACTED:url_credentials]@api.example.com failed',
    });
  });
});

describe('other lines', () => {
  it('a JSON line with a trace_id that is not a summary event is a step-level log line', () => {
    const parsed = parseLogLine(
      JSON.stringify({
        level: 30,
        time: 1777982400123,
        pid: 7,
        hostname: 'ip-10-0-1-7',
        trace_id: TRACE_ID,
        context: { trace_id: TRACE_ID, component: 'worker' },
        msg: 'cloning org/repo',
      }),
    );
    expect(parsed).toMatchObject({
      kind: 'log',
      log: {
        trace_id: TRACE_ID,
        time: '2026-05-05T12:00:00.123Z',
        timeMs: 1777982400123,
        component: 'worker',
        level: 30,
        msg: 'cloning org/repo',
      },
      traceId: TRACE_ID.replace(/-/g, ''),
      timeMs: 1777982400123,
    });
    if (parsed.kind !== 'log') return;
    // The other fields and the time in ns are computed when read, by the backfill (the line is not copied per line).
    expect(stepLineTimeNs(parsed.log)).toBe(1777982400123000000n);
    expect(stepLineFields(parsed.log)).toEqual({ pid: 7, hostname: 'ip-10-0-1-7' });
    expect(stepLineFieldNames(parsed.log)).toEqual(['pid', 'hostname']);
    expect(stepLineField(parsed.log, 'hostname')).toBe('ip-10-0-1-7');
    expect(stepLineField(parsed.log, 'msg')).toBeUndefined();
    expect(stepLineField(parsed.log, 'toString')).toBeUndefined();
  });

  it('JSON without a trace_id is ignored unless it looks like a summary event', () => {
    expect(parseLogLine('{"level":30,"msg":"listening on :8080"}')).toEqual({ kind: 'ignored' });
    expect(rejection(parseLogLine('{"level":30,"msg":"[event] slack.prompt -> success"}'))).toBe('missing_trace_id');
  });

  it('a step-level line with a bad time or trace id is rejected by name', () => {
    expect(rejection(parseLogLine(JSON.stringify({ trace_id: TRACE_ID, msg: 'x' })))).toBe('bad_time');
    expect(rejection(parseLogLine(JSON.stringify({ trace_id: 7, time: 1, msg: 'x' })))).toBe('invalid_trace_id');
  });
});

/**
 * Hostile input: 100,000 fuzz cases over the line parser (parseLogLine) and the event → span
 * mapping (summaryEventToSpans), then on to the OTLP/JSON encoder the spans are written with.
 * Inputs: real lines (hostile-corpus.ts) with 1–3 mutations — text edits, field rewrites through
 * the JSON, edits inside the `otel` extension — plus arbitrary JSON and arbitrary strings.
 * Builds on test/unit/contract/validation.test.ts ("never throws and never pollutes", 500 runs).
 *
 * Checked for every case: no throw; every rejected line has a named reason from the documented
 * list; every span produced has valid ids and encodes; no case takes more than 2 s (a hang check,
 * not a benchmark). After the run: Object.prototype and Array.prototype are unchanged.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeOtlpJsonLine } from '../../../src/contract/otlp-json.js';
import { parseLogLine, type ParsedLine } from '../../../src/contract/parse.js';
import { summaryEventToSpans } from '../../../src/contract/event-to-spans.js';
import { toOtelTraceId } from '../../../src/contract/trace-id.js';
import { applyMutation, domainMutation, mutation, realLines } from './hostile-corpus.js';
import { recordFigures } from './figures.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
// CPU-bound work, so a wall-clock bound and not fake timers: a hang (catastrophic backtracking, an
// endless loop) is far past it; one case normally takes well under a millisecond.
const HANG_MS = 2000;

/** The reject reasons docs/summary-event-format.md documents (src/contract/reject-reasons.ts). */
const PLAIN_REASONS = new Set([
  'not_json',
  'too_large',
  'too_deep',
  'not_object',
  'hostile_key',
  'value_too_long',
  'missing_trace_id',
  'invalid_trace_id',
  'bad_time',
  'bad_outcome',
  'bad_duration',
  'bad_level',
  'context_mismatch',
  'msg_mismatch',
  'bad_extension',
]);
const CHECKED_FIELDS = new Set([
  'service',
  'component',
  'event',
  'final_status',
  'context',
  'steps',
  'error',
  'msg',
  'span_id',
  'parent_span_id',
  'otel',
  'repo',
  'task',
  'agent',
  'pull_request',
  'slack',
]);
function isNamedReason(reason: string): boolean {
  if (PLAIN_REASONS.has(reason)) return true;
  const m = /^(bad_type|missing_field|too_long):([a-z_]{1,20})$/.exec(reason);
  return m !== null && CHECKED_FIELDS.has(m[2]!);
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

let corpus: string[] = [];
beforeAll(async () => {
  corpus = await realLines();
});

interface Tally {
  cases: number;
  summary: number;
  log: number;
  ignored: number;
  rejected: Map<string, number>;
  spans: number;
  slowestMs: number;
}

function check(line: string, tally: Tally): void {
  const t0 = performance.now();
  const parsed: ParsedLine = parseLogLine(line);
  tally.cases++;
  if (parsed.kind === 'rejected') {
    expect(isNamedReason(parsed.reason), `unnamed reason ${parsed.reason}`).toBe(true);
    tally.rejected.set(parsed.reason, (tally.rejected.get(parsed.reason) ?? 0) + 1);
  } else {
    tally[parsed.kind]++;
  }
  if (parsed.kind === 'summary') {
    const spans = summaryEventToSpans(parsed.event);
    const mapped = toOtelTraceId(parsed.event.trace_id);
    for (const span of spans) {
      expect(mapped.ok && span.traceId === mapped.traceId).toBe(true);
      expect(HEX32.test(span.traceId) && HEX16.test(span.spanId) && span.spanId !== '0000000000000000').toBe(true);
      if (span.parentSpanId !== undefined) expect(HEX16.test(span.parentSpanId)).toBe(true);
      expect(typeof span.startTimeUnixNano === 'bigint' && typeof span.endTimeUnixNano === 'bigint').toBe(true);
    }
    if (spans.length > 0) JSON.parse(encodeOtlpJsonLine(spans));
    tally.spans += spans.length;
  }
  tally.slowestMs = Math.max(tally.slowestMs, performance.now() - t0);
}

describe('fuzz: parseLogLine → summaryEventToSpans → OTLP/JSON', () => {
  it(`${RUNS.toLocaleString('en')} cases: no throw, no hang, named rejections, valid spans, no prototype pollution`, () => {
    expect(corpus.length).toBeGreaterThan(8);
    const objectKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const arrayKeys = Object.getOwnPropertyNames(Array.prototype).sort();
    const tally: Tally = { cases: 0, summary: 0, log: 0, ignored: 0, rejected: new Map(), spans: 0, slowestMs: 0 };
    // Every corpus line parses as it is (a sanity anchor: the mutations start from valid lines).
    for (const line of corpus) expect(parseLogLine(line).kind).not.toBe('rejected');

    const input = fc.oneof(
      {
        weight: 8,
        arbitrary: fc
          .tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }))
          .map(([i, ms]) => ms.reduce(applyMutation, corpus[i % corpus.length]!)),
      },
      // Domain-field rewrites keep most lines valid, so the mapping and the encoder get exercised too.
      {
        weight: 4,
        arbitrary: fc.tuple(fc.nat(), domainMutation).map(([i, m]) => applyMutation(corpus[i % corpus.length]!, m)),
      },
      { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
      { weight: 1, arbitrary: fc.string({ maxLength: 300, unit: 'binary' }) },
    );
    fc.assert(
      fc.property(input, (line) => check(line, tally)),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20260505) },
    );

    recordFigures('fuzz parseLogLine + summaryEventToSpans', {
      cases: tally.cases,
      summary: tally.summary,
      stepLogs: tally.log,
      ignored: tally.ignored,
      rejected: Object.fromEntries([...tally.rejected].sort((a, b) => b[1] - a[1])),
      spans: tally.spans,
      slowestCaseMs: Math.round(tally.slowestMs),
    });
    expect(tally.cases).toBe(RUNS);
    expect(tally.slowestMs).toBeLessThan(HANG_MS);
    // The run must have exercised every outcome, or the generator went blind.
    expect(tally.summary).toBeGreaterThan(RUNS / 20);
    expect(tally.rejected.size).toBeGreaterThan(10);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(objectKeys);
    expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(arrayKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 600_000);
});

/**
 * The value parseLogLine gives a summary line carries what the rest of the path needs — the OTel
 * trace id, the time in ms, the decoded bridge extension — and the mapping of that value
 * (summaryLineToSpans) is the mapping of the bare event (summaryEventToSpans, which maps the id,
 * reads the time and decodes the extension again itself), byte for byte, whatever the line's key
 * order. The event is in the guide's key order, domain fields in the line's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { domainKeysOf } from '../../../src/contract/domain-attributes.js';
import { summaryEventToSpans, summaryLineToSpans } from '../../../src/contract/event-to-spans.js';
import { decodeOtelExtension } from '../../../src/contract/otel-extension.js';
import { encodeOtlpJsonLine } from '../../../src/contract/otlp-json.js';
import { parseLogLine, type ParsedSummary } from '../../../src/contract/parse.js';
import { sliceToSummaryEvent } from '../../../src/contract/spans-to-event.js';
import type { SummaryEvent } from '../../../src/contract/summary-event.js';
import { toOtelTraceId } from '../../../src/contract/trace-id.js';
import { bridgedSlice, legacyEvent } from './arbitraries.js';
import { summaryEvent } from './fixtures.js';

function summaryOf(line: string): ParsedSummary {
  const parsed = parseLogLine(line);
  if (parsed.kind !== 'summary') throw new Error(`not a summary event: ${JSON.stringify(parsed)}`);
  return parsed;
}

/** A line the way pino writes it: level, time and its bindings first, msg last. */
function pinoLine(event: SummaryEvent): string {
  const { level, time, msg, ...rest } = event;
  return JSON.stringify({ level, time, pid: 7, hostname: 'ip-10-0-1-7', ...rest, msg });
}

/** What every summary value must hold, checked against the rules it was computed by. */
function expectConsistent(value: ParsedSummary): void {
  const mapped = toOtelTraceId(value.event.trace_id);
  expect(mapped.ok && mapped.traceId).toBe(value.traceId);
  expect(value.timeMs).toBe(Date.parse(value.event.time));
  expect(Number.isInteger(value.timeMs)).toBe(true);
  if (typeof value.event.otel === 'string') {
    const decoded = decodeOtelExtension(value.event.otel);
    expect(decoded.ok && decoded.extension).toEqual(value.extension);
  } else {
    expect(value.extension).toBeUndefined();
  }
  const bytes = encodeOtlpJsonLine(summaryLineToSpans(value));
  expect(bytes).toBe(encodeOtlpJsonLine(summaryEventToSpans(value.event)));
}

describe('parseLogLine: the summary value', () => {
  it('a pino line (level first) gives an event in the guide key order, domain fields in line order', () => {
    const event = summaryEvent({ repo: { full_name: 'org/repo', base_ref: 'main' } });
    const value = summaryOf(pinoLine(event));
    expect(Object.keys(value.event)[0]).toBe('time');
    expect(domainKeysOf(value.event)).toEqual(['pid', 'hostname', ...domainKeysOf(event)]);
    expectConsistent(value);
  });

  it('normalization is reflected in the value: epoch-ms time, offsets, missing context', () => {
    const base = summaryEvent();
    const epoch = summaryOf(JSON.stringify({ ...base, time: Date.parse(base.time) }));
    expect(epoch.event.time).toBe(base.time);
    expect(epoch.timeMs).toBe(Date.parse(base.time));
    const offset = summaryOf(JSON.stringify({ ...base, time: '2026-05-05T14:00:00+02:00' }));
    expect(offset.timeMs).toBe(Date.parse('2026-05-05T12:00:00.000Z'));
    expect(offset.event.time).toBe('2026-05-05T12:00:00.000Z');
    const noContext = summaryOf(JSON.stringify({ ...base, context: undefined }));
    expect(noContext.event.context).toEqual({ trace_id: base.trace_id, component: base.component });
    for (const v of [epoch, offset, noContext]) expectConsistent(v);
  });

  it('agrees with the bare-event mapping for any legacy event, in the guide order or pino order', () => {
    fc.assert(
      fc.property(legacyEvent, (event) => {
        expectConsistent(summaryOf(JSON.stringify(event)));
        expectConsistent(summaryOf(pinoLine(event)));
      }),
      { numRuns: 300 },
    );
  });

  it('carries the decoded extension of any bridged slice, and maps it to the same spans', () => {
    fc.assert(
      fc.property(bridgedSlice, ({ slice, descendants }) => {
        const value = summaryOf(JSON.stringify(sliceToSummaryEvent(slice, descendants)));
        expect(value.extension).toBeDefined();
        expectConsistent(value);
      }),
      { numRuns: 200 },
    );
  });
});

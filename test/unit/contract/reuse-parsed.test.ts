/**
 * parseLogLineFacts with `reuseParsed` (the backfill's entry) may hand back the parsed line itself
 * as the event when it is already in normalized form. It must be the same event as the copy —
 * same fields, same values, same domain key order, same spans — whatever the line; only the order
 * of the guide's own keys may differ.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { domainKeysOf } from '../../../src/contract/domain-attributes.js';
import { summaryEventToSpans } from '../../../src/contract/event-to-spans.js';
import { encodeOtlpJsonLine } from '../../../src/contract/otlp-json.js';
import { parseLogLine, parseLogLineFacts, type ParsedLineFacts } from '../../../src/contract/parse.js';
import type { SummaryEvent } from '../../../src/contract/summary-event.js';
import { legacyEvent } from './arbitraries.js';
import { summaryEvent } from './fixtures.js';

function eventOf(parsed: ParsedLineFacts): SummaryEvent {
  if (parsed.kind !== 'summary') throw new Error(`not a summary event: ${JSON.stringify(parsed)}`);
  return parsed.event;
}

/** Both entries agree on everything the backfill reads; returns the reused-path event. */
function expectSameEvent(line: string): SummaryEvent {
  const copied = parseLogLine(line);
  const reused = parseLogLineFacts(line, { reuseParsed: true });
  expect(reused).toEqual(copied);
  if (copied.kind !== 'summary') return undefined as never;
  const event = eventOf(reused);
  expect(domainKeysOf(event)).toEqual(domainKeysOf(copied.event));
  expect(Object.keys(event.context)).toEqual(Object.keys(copied.event.context));
  const bytes = (e: SummaryEvent): string => encodeOtlpJsonLine(summaryEventToSpans(e));
  expect(bytes(event)).toBe(bytes(copied.event));
  return event;
}

/** A line the way pino writes it: level, time and its bindings first, msg last. */
function pinoLine(event: SummaryEvent): string {
  const { level, time, msg, ...rest } = event;
  return JSON.stringify({ level, time, pid: 7, hostname: 'ip-10-0-1-7', ...rest, msg });
}

describe('reuseParsed', () => {
  it('a normalized pino line is its own event (the line key order shows it), equal to the copy', () => {
    const event = expectSameEvent(pinoLine(summaryEvent({ repo: { full_name: 'org/repo', base_ref: 'main' } })));
    expect(Object.keys(event)[0]).toBe('level');
  });

  it('a line needing any normalization is copied in the guide order, as without the option', () => {
    const expected = summaryEvent({ outcome: 'error', final_status: 'failed', error: { type: 'E', message: 'boom' } });
    const variants: Record<string, unknown>[] = [
      { ...expected, context: undefined },
      { ...expected, context: { trace_id: expected.trace_id } },
      { ...expected, context: { component: expected.component } },
      { ...expected, level: undefined },
      { ...expected, level: 'info' },
      { ...expected, msg: undefined },
      { ...expected, steps: undefined },
      { ...expected, error: undefined },
      { ...expected, error: { message: 'boom', type: 'E' } },
      { ...expected, error: { type: 'E', message: 'boom', stack: 'at x' } },
      { ...expected, error: { type: 'E', message: 'token ghp_abcdefghijklmnopqrstuvwxyz0123456789' } },
      { ...expected, time: Date.parse(expected.time) },
      { ...expected, time: '2026-05-05T14:00:00+02:00' },
      { ...expected, duration_ms: 12.3456789012 },
      { ...expected, component: undefined },
      { ...expected, component: null },
      { ...expected, trace_id: undefined },
      { ...expected, trace_id: null },
    ];
    for (const variant of variants) {
      const event = expectSameEvent(JSON.stringify(variant));
      expect(Object.keys(event)[0]).toBe('time');
    }
  });

  it('rejects exactly what the copying entry rejects', () => {
    const base = summaryEvent();
    for (const variant of [{ ...base, msg: 'other' }, { ...base, context: { ...base.context, component: 'worker' } }, { ...base, repo: { full_name: 7 } }]) {
      expectSameEvent(JSON.stringify(variant));
      expect(parseLogLineFacts(JSON.stringify(variant), { reuseParsed: true }).kind).toBe('rejected');
    }
  });

  it('agrees with the copy for any legacy event, in the guide order or pino order', () => {
    fc.assert(
      fc.property(legacyEvent, (event) => {
        expectSameEvent(JSON.stringify(event));
        expectSameEvent(pinoLine(event));
      }),
      { numRuns: 300 },
    );
  });
});

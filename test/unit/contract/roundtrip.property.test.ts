/**
 * The contract's two promises (issue 2, "Accepted when"), through the real line format: events are
 * serialized with JSON.stringify and read back with parseLogLine, as the backfill reads them.
 *  1. spans → event → spans is the identity for any valid bridged slice;
 *  2. event → spans → event gives back the same event for any valid event, legacy or bridged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLogLine } from '../../../src/contract/parse.js';
import { summaryEventToSpans } from '../../../src/contract/event-to-spans.js';
import { sliceToSummaryEvent } from '../../../src/contract/spans-to-event.js';
import { validateSummaryEvent } from '../../../src/contract/validate.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import type { SummaryEvent } from '../../../src/contract/summary-event.js';
import { bridgedSlice, legacyEvent } from './arbitraries.js';

const RUNS = { numRuns: 400 };

function readBack(event: SummaryEvent): SummaryEvent {
  const parsed = parseLogLine(JSON.stringify(event));
  if (parsed.kind !== 'summary') throw new Error(`line not read back as a summary: ${JSON.stringify(parsed)}`);
  return parsed.event;
}

/** Key order of every attribute map, which OTLP exporters keep and Jaeger's dedupe hashes. */
function keyOrders(spans: readonly SpanRecord[]): string[][] {
  return spans.flatMap((s) => [
    Object.keys(s.attributes),
    Object.keys(s.resource),
    ...s.events.map((e) => Object.keys(e.attributes)),
  ]);
}

describe('spans → event → spans', () => {
  it('is the identity on ids, parents, names, kinds, ns times, statuses, attributes, events, resource, scope', () => {
    fc.assert(
      fc.property(bridgedSlice, ({ slice, descendants }) => {
        const event = readBack(sliceToSummaryEvent(slice, descendants));
        const rebuilt = summaryEventToSpans(event);
        expect(rebuilt).toEqual([slice, ...descendants]);
        expect(keyOrders(rebuilt)).toEqual(keyOrders([slice, ...descendants]));
      }),
      RUNS,
    );
  });

  it('keeps the guide fields Logs Insights reads at the top level, with the extension in three fields', () => {
    fc.assert(
      fc.property(bridgedSlice, ({ slice, descendants }) => {
        const event = sliceToSummaryEvent(slice, descendants);
        const keys = Object.keys(event);
        expect(keys.slice(0, 12)).toEqual([
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
        ]);
        expect(keys.filter((k) => ['span_id', 'parent_span_id', 'otel'].includes(k))).toEqual(
          slice.parentSpanId ? ['span_id', 'parent_span_id', 'otel'] : ['span_id', 'otel'],
        );
        expect(typeof event.otel).toBe('string');
      }),
      RUNS,
    );
  });
});

describe('event → spans → event', () => {
  it('gives back any valid legacy event unchanged', () => {
    fc.assert(
      fc.property(legacyEvent, (event) => {
        const validated = validateSummaryEvent(event);
        expect(validated).toMatchObject({ ok: true });
        if (!validated.ok) return;
        expect(validated.event).toEqual(event);
        const spans = summaryEventToSpans(readBack(event));
        expect(spans).toHaveLength(1);
        expect(spans[0]!.parentSpanId).toBeUndefined();
        expect(sliceToSummaryEvent(spans[0]!, [])).toEqual(event);
      }),
      RUNS,
    );
  });

  it('gives back any valid bridged event unchanged', () => {
    fc.assert(
      fc.property(bridgedSlice, ({ slice, descendants }) => {
        const event = readBack(sliceToSummaryEvent(slice, descendants));
        const [rebuiltSlice, ...rebuiltDescendants] = summaryEventToSpans(event);
        expect(sliceToSummaryEvent(rebuiltSlice!, rebuiltDescendants)).toEqual(event);
      }),
      RUNS,
    );
  });
});

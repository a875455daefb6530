/**
 * One assembled trace → its spans: bridged events rebuild their spans exactly, legacy events one
 * span each, linked by causal order (legacy-links.ts), step-level lines become span events
 * (step-log-events.ts). A duplicated line yields its span once (legacy span ids are derived from
 * the event's content, bridged ones were logged). Output order is by start time then span id, so
 * the same lines in any order give the same bytes.
 */
import { ALAKAI_OUTCOME } from '../../contract/attribute-keys.js';
import { legacySliceSpan, summarySlice, type LegacySlice } from '../../contract/event-to-spans.js';
import type { StepLine } from '../../contract/parsed-line.js';
import type { SpanEventRecord, SpanRecord } from '../../contract/span-record.js';
import { compareSliceOrder, legacyParents, type Slice } from './legacy-links.js';
import { logTargets, logToSpanEventAt, MAX_LOG_EVENTS_PER_SPAN, sliceForLogAt, stepLogKey } from './step-log-events.js';
import { stepLineTimeNs } from './step-line-fields.js';
import type { OpenTrace } from './trace-assembler.js';

export interface BuiltTrace {
  traceId: string;
  spans: SpanRecord[];
  /** Summary events seen more than once (after the first). */
  duplicateEvents: number;
  duplicateStepLogs: number;
  /** Step-level lines with no legacy slice to carry them (bridged-only traces) or over the per-span cap. */
  unattachedStepLogs: number;
  /** Events that produced no span (trace id or times unusable after validation: should not happen). */
  unmappedEvents: number;
  /** The trace's slices in slice order and the parent span id each legacy one got (follow's hold reads them). */
  slices: readonly Slice[];
  parents: ReadonlyMap<Slice, string>;
}

/** The order spans are written in: by start time, then span id. */
export function compareSpans(a: SpanRecord, b: SpanRecord): number {
  if (a.startTimeUnixNano !== b.startTimeUnixNano) return a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1;
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}

type Counts = Omit<BuiltTrace, 'traceId' | 'spans' | 'slices' | 'parents'>;

/** A legacy slice while its trace places it: its span is built from `mapped` afterwards. */
interface LegacyEntry extends Slice {
  readonly mapped: LegacySlice;
}

/**
 * The trace's step lines as span events per legacy slice (in line order, duplicates and lines over
 * the per-span cap counted and left out).
 */
function stepLineEvents(trace: OpenTrace, slices: readonly Slice[], counts: Counts): Map<Slice, SpanEventRecord[]> {
  const bySlice = new Map<Slice, SpanEventRecord[]>();
  if (trace.logs.length === 0) return bySlice;
  const targets = logTargets(slices);
  // Duplicates are lines with equal stepLogKey. The key starts with the line's time (digits up to
  // the first NUL), so equal keys imply equal times: lines are bucketed by time (cheap) and the
  // full key (JSON of the fields) is built only for lines sharing a millisecond — rare outside
  // genuinely duplicated input.
  const buckets = new Map<number, StepLine[]>();
  const fullKeys = new Map<StepLine, string>();
  const fullKey = (log: StepLine): string => {
    let key = fullKeys.get(log);
    if (key === undefined) fullKeys.set(log, (key = stepLogKey(log)));
    return key;
  };
  for (const { log } of trace.logs) {
    // Times are whole ms: equal timeMs is equal time in ns, without a BigInt per line.
    const bucket = buckets.get(log.timeMs);
    if (bucket === undefined) buckets.set(log.timeMs, [log]);
    else {
      const key = fullKey(log);
      if (bucket.some((kept) => fullKey(kept) === key)) {
        counts.duplicateStepLogs++;
        continue;
      }
      bucket.push(log);
    }
    // One BigInt per line, made here rather than when the line was read (StepLine keeps ms).
    const timeNs = stepLineTimeNs(log);
    const slice = sliceForLogAt(log, timeNs, targets);
    const events = slice ? bySlice.get(slice) : undefined;
    if (!slice || (events !== undefined && events.length >= MAX_LOG_EVENTS_PER_SPAN)) {
      counts.unattachedStepLogs++;
      continue;
    }
    const event = logToSpanEventAt(log, timeNs);
    if (events) events.push(event);
    else bySlice.set(slice, [event]);
  }
  return bySlice;
}

export function buildTrace(trace: OpenTrace): BuiltTrace {
  const counts: Counts = { duplicateEvents: 0, duplicateStepLogs: 0, unattachedStepLogs: 0, unmappedEvents: 0 };
  // Span ids seen so far, with the final span of a bridged event's spans or the legacy slice
  // that is built once the whole trace has placed it.
  const byId = new Map<string, SpanRecord | LegacyEntry>();
  const slices: Slice[] = [];
  for (const summary of trace.events) {
    const mapped = summarySlice(summary);
    if (mapped === undefined) {
      counts.unmappedEvents++;
      continue;
    }
    if (mapped.kind === 'legacy') {
      if (byId.has(mapped.spanId)) {
        counts.duplicateEvents++;
        continue;
      }
      const { spanId, startNs, endNs } = mapped;
      const slice: LegacyEntry = {
        spanId,
        startNs,
        endNs,
        component: summary.event.component,
        outcome: summary.event.outcome,
        legacy: true,
        mapped,
      };
      byId.set(mapped.spanId, slice);
      slices.push(slice);
      continue;
    }
    const first = mapped.spans[0]!;
    if (byId.has(first.spanId)) {
      counts.duplicateEvents++;
      continue;
    }
    for (const span of mapped.spans) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
    slices.push({
      spanId: first.spanId,
      startNs: first.startTimeUnixNano,
      endNs: first.endTimeUnixNano,
      component: summary.event.component,
      outcome: first.attributes[ALAKAI_OUTCOME],
      legacy: false,
    });
  }
  slices.sort(compareSliceOrder);
  const parents = legacyParents(slices);
  const events = stepLineEvents(trace, slices, counts);

  const spans: SpanRecord[] = [];
  for (const entry of byId.values()) {
    spans.push(
      'mapped' in entry
        ? legacySliceSpan(entry.mapped, { parentSpanId: parents.get(entry), events: events.get(entry) })
        : entry,
    );
  }
  return { traceId: trace.key, spans: spans.sort(compareSpans), ...counts, slices, parents };
}

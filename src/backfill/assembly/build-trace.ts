/**
 * One assembled trace → its spans: bridged events rebuild their spans exactly, legacy events one
 * span each, linked by causal order (legacy-links.ts), step-level lines become span events
 * (step-log-events.ts). A duplicated line yields its span once (legacy span ids are derived from
 * the event's content, bridged ones were logged). Output order is by start time then span id, so
 * the same lines in any order give the same bytes.
 */
import { ALAKAI_LEGACY } from '../../contract/attribute-keys.js';
import { summaryLineToSpans } from '../../contract/event-to-spans.js';
import type { StepLine } from '../../contract/parsed-line.js';
import { compareSpanEvents } from '../../contract/span-event-order.js';
import type { SpanRecord } from '../../contract/span-record.js';
import { compareSliceOrder, linkLegacySlices, type Slice } from './legacy-links.js';
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
}

function compareSpans(a: SpanRecord, b: SpanRecord): number {
  if (a.startTimeUnixNano !== b.startTimeUnixNano) return a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1;
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}

export function buildTrace(trace: OpenTrace): BuiltTrace {
  const out: BuiltTrace = { traceId: trace.key, spans: [], duplicateEvents: 0, duplicateStepLogs: 0, unattachedStepLogs: 0, unmappedEvents: 0 };
  const byId = new Map<string, SpanRecord>();
  const slices: Slice[] = [];
  for (const summary of trace.events) {
    const spans = summaryLineToSpans(summary);
    const slice = spans[0];
    if (!slice) {
      out.unmappedEvents++;
      continue;
    }
    if (byId.has(slice.spanId)) {
      out.duplicateEvents++;
      continue;
    }
    for (const span of spans) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
    slices.push({ span: slice, component: summary.event.component, legacy: slice.attributes[ALAKAI_LEGACY] === true });
  }
  slices.sort(compareSliceOrder);
  linkLegacySlices(slices);

  if (trace.logs.length > 0) {
    const added = new Map<Slice, number>();
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
      // Times are whole ms: equal timeMs is equal timeUnixNano, without a BigInt per line.
      const bucket = buckets.get(log.timeMs);
      if (bucket === undefined) buckets.set(log.timeMs, [log]);
      else {
        const key = fullKey(log);
        if (bucket.some((kept) => fullKey(kept) === key)) {
          out.duplicateStepLogs++;
          continue;
        }
        bucket.push(log);
      }
      // One BigInt per line, made here rather than when the line was read (StepLine keeps ms).
      const timeNs = stepLineTimeNs(log);
      const slice = sliceForLogAt(log, timeNs, targets);
      const count = slice ? (added.get(slice) ?? 0) : 0;
      if (!slice || count >= MAX_LOG_EVENTS_PER_SPAN) {
        out.unattachedStepLogs++;
        continue;
      }
      added.set(slice, count + 1);
      slice.span.events.push(logToSpanEventAt(log, timeNs));
    }
    for (const slice of added.keys()) slice.span.events.sort(compareSpanEvents);
  }
  out.spans = [...byId.values()].sort(compareSpans);
  return out;
}

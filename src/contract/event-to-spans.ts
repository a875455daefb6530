/**
 * A parsed summary line (parsed-line.ts) → spans. A bridged event (span_id + otel) gives back its
 * slice span and the slice's descendants exactly as they were exported live; a legacy event gives
 * one span with deterministic ids. A legacy slice's parent and extra span events depend on the
 * whole trace (the backfill's assembly decides them): summarySlice gives what that decision needs
 * and legacySliceSpan then builds the span once, with them. A legacy span built from its line
 * alone (summaryLineToSpans, summaryEventToSpans: every one-line path) is *unlinked*: its id is in
 * its own namespace and it is marked, so it never shares an id with the linked span the backfill
 * builds from the same line (legacy-span-id.ts).
 */
import { diag } from '@opentelemetry/api';
import { applyAttributeDiff } from './attribute-diff.js';
import { ALAKAI_LEGACY_LINKED, EXCEPTION_EVENT, EXCEPTION_MESSAGE, EXCEPTION_TYPE } from './attribute-keys.js';
import { domainKeysOf } from './domain-attributes.js';
import { parseNormalizedTime } from './event-time.js';
import { legacySpanId, type Linkage } from './legacy-span-id.js';
import { decodeOtelExtension, type ExtensionEvent } from './otel-extension.js';
import type { ParsedSummary } from './parsed-line.js';
import { componentResource, sharedComponentResource } from './resource.js';
import {
  DEFAULT_SCOPE,
  defaultSliceKind,
  deriveSliceAttributes,
  derivedStatusCode,
  derivedStatusMessage,
} from './slice-fields.js';
import { compareSpanEvents } from './span-event-order.js';
import type { Attributes, SpanEventRecord, SpanRecord } from './span-record.js';
import type { SummaryEvent } from './summary-event.js';
import { toOtelTraceId } from './trace-id.js';

import { SPAN_ID_RE, ZERO_SPAN_ID } from './span-id.js';
const NS_PER_MS = 1_000_000n;

export function isBridgedEvent(event: SummaryEvent): boolean {
  return typeof event.span_id === 'string' && typeof event.otel === 'string';
}

export { legacySpanId, type Linkage } from './legacy-span-id.js';

/** A legacy event's slice before it is placed in its trace: its id (in its linkage's namespace) and times. */
export interface LegacySlice<L extends Linkage = Linkage> {
  readonly kind: 'legacy';
  readonly linkage: L;
  readonly summary: ParsedSummary;
  readonly spanId: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
}

/** A bridged event's spans: final as they were exported live (slice first, then its descendants). */
export interface BridgedSlice {
  readonly kind: 'bridged';
  readonly spans: SpanRecord[];
}

/** Where the backfill placed a legacy slice in its trace (backfill/assembly). */
export interface LegacyPlacement {
  readonly parentSpanId?: string | undefined;
  /** Span events beside the slice's own (step lines); all are put in compareSpanEvents order. */
  readonly events?: readonly SpanEventRecord[] | undefined;
}

function legacySlice<L extends Linkage>(summary: ParsedSummary, linkage: L): LegacySlice<L> | undefined {
  const { event, timeMs } = summary;
  if (!Number.isFinite(timeMs) || !Number.isFinite(event.duration_ms) || event.duration_ms < 0) return undefined;
  const endNs = BigInt(Math.floor(timeMs)) * NS_PER_MS;
  let startNs = endNs - BigInt(Math.round(event.duration_ms * 1e6));
  if (startNs < 0n) startNs = 0n;
  return { kind: 'legacy', linkage, summary, spanId: legacySpanId(event, linkage), startNs, endNs };
}

/**
 * The span of a legacy slice, with its parent and extra events. `slice` comes from summarySlice,
 * i.e. from a validated event, whose fields are what deriveSliceAttributes reads. Only a linked
 * slice is placed; an unlinked one is a root without step-line events, marked `alakai.legacy.linked`
 * = false, and that is what its id stands for.
 */
export function legacySliceSpan(slice: LegacySlice<'linked'>, placement?: LegacyPlacement): SpanRecord;
export function legacySliceSpan(slice: LegacySlice<'unlinked'>): SpanRecord;
export function legacySliceSpan(slice: LegacySlice, placement?: LegacyPlacement): SpanRecord {
  const { event, traceId } = slice.summary;
  const { endNs } = slice;
  const own: SpanEventRecord[] = [];
  const status: SpanRecord['status'] = { code: derivedStatusCode(event) };
  const message = derivedStatusMessage(event);
  if (message) status.message = message;
  if (event.error) {
    const attributes: Attributes = {};
    attributes[EXCEPTION_TYPE] = event.error.type;
    attributes[EXCEPTION_MESSAGE] = event.error.message;
    own.push({ name: EXCEPTION_EVENT, timeUnixNano: endNs, attributes });
  }
  const extra = placement?.events;
  const span: SpanRecord = {
    traceId,
    spanId: slice.spanId,
    name: event.event,
    kind: defaultSliceKind(event.component),
    startTimeUnixNano: slice.startNs,
    endTimeUnixNano: endNs,
    status,
    attributes: deriveSliceAttributes(event, traceId, domainKeysOf(event), true),
    events: extra !== undefined && extra.length > 0 ? [...own, ...extra].sort(compareSpanEvents) : own,
    resource: sharedComponentResource(event.service, event.component),
    scope: DEFAULT_SCOPE,
  };
  if (slice.linkage === 'unlinked') span.attributes[ALAKAI_LEGACY_LINKED] = false;
  if (placement?.parentSpanId !== undefined) span.parentSpanId = placement.parentSpanId;
  return span;
}

function absoluteEvents(events: readonly ExtensionEvent[], startNs: bigint): SpanEventRecord[] {
  return events.map((e) => ({ name: e.name, timeUnixNano: startNs + e.offsetNs, attributes: e.attributes }));
}

function bridgedSpans(summary: ParsedSummary): SpanRecord[] | undefined {
  const { event, traceId, extension: ext } = summary;
  if (ext === undefined) return undefined;
  const spanId = event.span_id as string;
  if (!SPAN_ID_RE.test(spanId) || spanId === ZERO_SPAN_ID) return undefined;
  const attributes = applyAttributeDiff(deriveSliceAttributes(event, traceId, ext.domainKeys, false), ext.attributes);
  const resource = ext.resource
    ? applyAttributeDiff(componentResource(event.service, event.component), ext.resource)
    : sharedComponentResource(event.service, event.component);

  const status: SpanRecord['status'] = { code: ext.statusCode ?? derivedStatusCode(event) };
  const message = ext.statusMessage ?? derivedStatusMessage(event);
  if (message) status.message = message;
  const slice: SpanRecord = {
    traceId,
    spanId,
    name: ext.name ?? event.event,
    kind: ext.kind ?? defaultSliceKind(event.component),
    startTimeUnixNano: ext.startNs,
    endTimeUnixNano: ext.startNs + ext.durationNs,
    status,
    attributes,
    events: absoluteEvents(ext.events, ext.startNs),
    resource,
    scope: ext.scope ?? DEFAULT_SCOPE,
  };
  if (typeof event.parent_span_id === 'string' && SPAN_ID_RE.test(event.parent_span_id))
    slice.parentSpanId = event.parent_span_id;
  const spans: SpanRecord[] = [slice];
  // A descendant's parent is the slice (index 0), another descendant (index i + 1) or an id; all
  // ids are known up front, so a parent listed after its child needs no second pass.
  const idAt = (index: number): string | undefined => (index === 0 ? spanId : ext.descendants[index - 1]?.spanId);
  for (const d of ext.descendants) {
    const descendantResource: Attributes = d.resource ? applyAttributeDiff(resource, d.resource) : resource;
    const start = ext.startNs + d.startOffsetNs;
    const span: SpanRecord = {
      traceId,
      spanId: d.spanId,
      name: d.name,
      kind: d.kind,
      startTimeUnixNano: start,
      endTimeUnixNano: start + d.durationNs,
      status: d.status.message ? { code: d.status.code, message: d.status.message } : { code: d.status.code },
      attributes: d.attributes,
      events: absoluteEvents(d.events, ext.startNs),
      resource: descendantResource,
      scope: d.scope ?? slice.scope,
    };
    const parent = typeof d.parent === 'number' ? idAt(d.parent) : d.parent;
    if (parent) span.parentSpanId = parent;
    spans.push(span);
  }
  return spans;
}

/**
 * What the spans of a summary line are made of: a bridged event's final spans (the same whatever
 * the linkage), or a legacy slice (legacySliceSpan builds it): `linked` for the backfill's assembly,
 * which places it, `unlinked` for a path that sees the line alone. Undefined when nothing can be
 * built (times unusable: not for a line from parseLogLine). A bridged event whose extension cannot
 * be used is read as legacy. Never throws.
 */
export function summarySlice<L extends Linkage>(
  summary: ParsedSummary,
  linkage: L,
): LegacySlice<L> | BridgedSlice | undefined {
  try {
    const spans = bridgedSpans(summary);
    return spans ? { kind: 'bridged', spans } : legacySlice(summary, linkage);
  } catch (err) {
    diag.warn('alakai-otel: summary event not convertible to spans', err);
    return undefined;
  }
}

/**
 * A parsed summary line → its spans, as the line alone gives them: a bridged event's exact spans,
 * or a legacy event's unlinked span (no parent, marked, its id in the unlinked namespace). Never
 * throws.
 */
export function summaryLineToSpans(summary: ParsedSummary): SpanRecord[] {
  try {
    const slice = summarySlice(summary, 'unlinked');
    if (slice === undefined) return [];
    return slice.kind === 'bridged' ? slice.spans : [legacySliceSpan(slice)];
  } catch (err) {
    // Only an event that skipped validation and breaks its type can get here.
    diag.warn('alakai-otel: summary event not convertible to spans', err);
    return [];
  }
}

/**
 * A summary event that did not come from parseLogLine (one built in code, e.g. by
 * sliceToSummaryEvent) → its spans: its trace id is mapped, its time read and its extension
 * decoded here, then it takes the same path. Never throws. An event whose trace id cannot be
 * mapped yields no spans (validateSummaryEvent rejects such events first); a bridged event with a
 * corrupt extension is treated as legacy. `time` and `duration_ms` are trusted to be normalized.
 */
export function summaryEventToSpans(event: SummaryEvent): SpanRecord[] {
  try {
    const mapped = toOtelTraceId(event.trace_id);
    if (!mapped.ok) return [];
    const decoded = isBridgedEvent(event) ? decodeOtelExtension(event.otel as string) : undefined;
    return summaryLineToSpans({
      kind: 'summary',
      event,
      extension: decoded?.ok ? decoded.extension : undefined,
      traceId: mapped.traceId,
      timeMs: parseNormalizedTime(event.time),
    });
  } catch (err) {
    diag.warn('alakai-otel: summary event not convertible to spans', err);
    return [];
  }
}

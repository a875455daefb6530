/**
 * A summary event → spans. A bridged event (span_id + otel) gives back its slice span and the
 * slice's descendants exactly as they were exported live; a legacy event gives one span with
 * deterministic ids and no parent (the backfill's assembly links parents across slices later).
 */
import * as crypto from 'node:crypto';
import { diag } from '@opentelemetry/api';
import { applyAttributeDiff } from './attribute-diff.js';
import { EXCEPTION_EVENT, EXCEPTION_MESSAGE, EXCEPTION_TYPE } from './attribute-keys.js';
import { domainKeysOf } from './domain-attributes.js';
import { parseNormalizedTime } from './event-time.js';
import { decodeOtelExtension, type ExtensionEvent, type OtelExtension } from './otel-extension.js';
import { componentResource, sharedComponentResource } from './resource.js';
import { DEFAULT_SCOPE, defaultSliceKind, deriveSliceAttributes, derivedStatusCode, derivedStatusMessage } from './slice-fields.js';
import type { Attributes, SpanEventRecord, SpanRecord } from './span-record.js';
import type { SummaryEvent } from './summary-event.js';
import { toOtelTraceId } from './trace-id.js';

import { SPAN_ID_RE, ZERO_SPAN_ID } from './span-id.js';
const NS_PER_MS = 1_000_000n;

export function isBridgedEvent(event: SummaryEvent): boolean {
  return typeof event.span_id === 'string' && typeof event.otel === 'string';
}

/** Decoded extensions of validated events, so the backfill decodes each `otel` text once. */
const decodedExtensions = new WeakMap<object, OtelExtension>();

export function rememberDecodedExtension(event: SummaryEvent, extension: OtelExtension): void {
  decodedExtensions.set(event, extension);
}

function extensionOf(event: SummaryEvent): OtelExtension | undefined {
  const cached = decodedExtensions.get(event);
  if (cached) return cached;
  const decoded = decodeOtelExtension(event.otel as string);
  return decoded.ok ? decoded.extension : undefined;
}

// crypto.hash (Node ≥ 20.12) is the one-shot form, about twice as fast as createHash for short input.
const sha256Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash: (alg: string, data: string) => string }).hash('sha256', text)
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The span id of a legacy event: the first 16 hex digits of sha-256 over the fields that identify
 * a slice — service, component, trace_id, event, outcome, final_status, time, duration_ms — as
 * validateSummaryEvent normalizes them. Re-running the backfill over the same lines therefore
 * yields the same spans (Jaeger dedupes them), and so does the same event logged twice through
 * different pipelines (other pid/hostname bindings). Two different slices of one execution
 * never share all of these: they differ in component, event or end time.
 */
export function legacySpanId(event: SummaryEvent): string {
  const identity = JSON.stringify([
    event.service,
    event.component,
    event.trace_id,
    event.event,
    event.outcome,
    event.final_status,
    event.time,
    event.duration_ms,
  ]);
  const digest = sha256Hex(identity);
  for (let i = 0; i + 16 <= digest.length; i += 16) {
    const id = digest.slice(i, i + 16);
    if (id !== ZERO_SPAN_ID) return id;
  }
  return '0000000000000001'; // unreachable in practice: all four 64-bit words of a sha-256 are zero
}

function legacySpan(event: SummaryEvent, traceId: string): SpanRecord | undefined {
  const endMs = parseNormalizedTime(event.time);
  if (!Number.isFinite(endMs) || !Number.isFinite(event.duration_ms) || event.duration_ms < 0) return undefined;
  const endNs = BigInt(Math.floor(endMs)) * NS_PER_MS;
  let startNs = endNs - BigInt(Math.round(event.duration_ms * 1e6));
  if (startNs < 0n) startNs = 0n;
  const events: SpanEventRecord[] = [];
  const status: SpanRecord['status'] = { code: derivedStatusCode(event) };
  const message = derivedStatusMessage(event);
  if (message) status.message = message;
  if (event.error) {
    const attributes: Attributes = {};
    attributes[EXCEPTION_TYPE] = event.error.type;
    attributes[EXCEPTION_MESSAGE] = event.error.message;
    events.push({ name: EXCEPTION_EVENT, timeUnixNano: endNs, attributes });
  }
  return {
    traceId,
    spanId: legacySpanId(event),
    name: event.event,
    kind: defaultSliceKind(event.component),
    startTimeUnixNano: startNs,
    endTimeUnixNano: endNs,
    status,
    attributes: deriveSliceAttributes(event, traceId, domainKeysOf(event), true),
    events,
    resource: sharedComponentResource(event.service, event.component),
    scope: DEFAULT_SCOPE,
  };
}

function absoluteEvents(events: readonly ExtensionEvent[], startNs: bigint): SpanEventRecord[] {
  return events.map((e) => ({ name: e.name, timeUnixNano: startNs + e.offsetNs, attributes: e.attributes }));
}

function bridgedSpans(event: SummaryEvent, traceId: string, ext: OtelExtension): SpanRecord[] | undefined {
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
  if (typeof event.parent_span_id === 'string' && SPAN_ID_RE.test(event.parent_span_id)) slice.parentSpanId = event.parent_span_id;
  const spans: SpanRecord[] = [slice];
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
    spans.push(span);
  }
  // Parents are resolved after all ids are known: a parent may be listed after its child.
  ext.descendants.forEach((d, i) => {
    const parent = typeof d.parent === 'number' ? spans[d.parent]?.spanId : d.parent;
    if (parent) spans[i + 1]!.parentSpanId = parent;
  });
  return spans;
}

/**
 * Never throws. An event whose trace id cannot be mapped yields no spans (validateSummaryEvent
 * rejects such events first); a bridged event with a corrupt extension is treated as legacy.
 * Events should come from parseLogLine/validateSummaryEvent: `time` and `duration_ms` are trusted
 * to be normalized.
 */
export function summaryEventToSpans(event: SummaryEvent): SpanRecord[] {
  return summaryEventToSpansIn(event, undefined);
}

/**
 * summaryEventToSpans for a caller that has already mapped `event.trace_id` (the backfill groups
 * lines by the mapped id, so every event of an assembled trace has it): `otelTraceId` must be
 * exactly toOtelTraceId(event.trace_id).traceId; undefined maps it here.
 */
export function summaryEventToSpansIn(event: SummaryEvent, otelTraceId: string | undefined): SpanRecord[] {
  try {
    return eventToSpans(event, otelTraceId);
  } catch (err) {
    // Only an event that skipped validateSummaryEvent and breaks its type can get here.
    diag.warn('alakai-otel: summary event not convertible to spans', err);
    return [];
  }
}

function eventToSpans(event: SummaryEvent, knownTraceId: string | undefined): SpanRecord[] {
  let traceId = knownTraceId;
  if (traceId === undefined) {
    const mapped = toOtelTraceId(event.trace_id);
    if (!mapped.ok) return [];
    traceId = mapped.traceId;
  }
  if (isBridgedEvent(event)) {
    const ext = extensionOf(event);
    const spans = ext && bridgedSpans(event, traceId, ext);
    if (spans) return spans;
  }
  const span = legacySpan(event, traceId);
  return span ? [span] : [];
}


/**
 * OTel SDK `ReadableSpan` → the bridge's neutral `SpanRecord`. Times become exact nanosecond
 * bigints (HrTime is [seconds, nanoseconds]; going through a JS number would lose precision), and
 * each SDK Resource maps to one shared attributes object so spans of one process keep sharing it
 * (the contract compares resources by identity to keep summary lines compact).
 */
import type { Attributes as ApiAttributes, HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { isAttributeValue, setOwnAttribute } from '../contract/attribute-values.js';
import { identityMemo } from '../contract/cache.js';
import type { Attributes, ScopeRecord, SpanKindValue, SpanRecord, StatusCodeValue } from '../contract/span-record.js';

const NS_PER_SECOND = 1_000_000_000n;

export function hrTimeToBigInt(time: HrTime): bigint {
  return BigInt(Math.trunc(time[0])) * NS_PER_SECOND + BigInt(Math.trunc(time[1]));
}

/**
 * API attributes allow `undefined` and nulls inside arrays; OTLP drops those, and so do we.
 * A plain object rather than a null-prototype one: V8 keeps null-prototype objects in dictionary
 * mode, which made every later pass over the map (diff, JSON of the bridge extension) slower on
 * each slice. setOwnAttribute keeps a `__proto__` key plain data, and readers of these maps look
 * keys up with Object.hasOwn or take them from Object.keys.
 */
export function toRecordAttributes(attributes: ApiAttributes | undefined): Attributes {
  const out: Attributes = {};
  if (!attributes) return out;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    if (isAttributeValue(value)) {
      setOwnAttribute(out, key, value);
      continue;
    }
    if (Array.isArray(value)) {
      const present = value.filter((v) => v !== null && v !== undefined);
      if (isAttributeValue(present)) setOwnAttribute(out, key, present);
    }
  }
  return out;
}

/**
 * A finished span's own attributes (or an event's), as a record. A span's attributes cannot change
 * once it has ended (the SDK ignores setAttribute on an ended span, with a warning), so when every
 * value already is one we carry — the usual case — the record reads the span's object itself
 * instead of a copy (one copy per span was a fifth of converting it). Otherwise, and for an object
 * that does not have the plain prototype readers expect, toRecordAttributes copies.
 */
function endedSpanAttributes(attributes: ApiAttributes | undefined): Attributes {
  if (!attributes || Object.getPrototypeOf(attributes) !== Object.prototype) return toRecordAttributes(attributes);
  for (const key in attributes) if (!isAttributeValue(attributes[key])) return toRecordAttributes(attributes);
  return attributes as Attributes;
}

/**
 * Cached by identity for every Resource (cache.ts): "a Resource is an immutable representation of
 * the entity producing telemetry" (https://opentelemetry.io/docs/specs/otel/resource/sdk/).
 */
const recordResource = identityMemo(
  (resource: Resource): Attributes => Object.freeze(toRecordAttributes(resource.attributes)) as Attributes,
);

function recordEvents(events: readonly TimedEvent[]): SpanRecord['events'] {
  return events.map((e) => ({
    name: e.name,
    timeUnixNano: hrTimeToBigInt(e.time),
    attributes: endedSpanAttributes(e.attributes),
  }));
}

export function toSpanRecord(span: ReadableSpan): SpanRecord {
  const ctx = span.spanContext();
  const scope: ScopeRecord = { name: span.instrumentationScope.name };
  if (span.instrumentationScope.version) scope.version = span.instrumentationScope.version;
  const record: SpanRecord = {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    name: span.name,
    kind: span.kind as number as SpanKindValue,
    startTimeUnixNano: hrTimeToBigInt(span.startTime),
    endTimeUnixNano: hrTimeToBigInt(span.endTime),
    status: { code: span.status.code as number as StatusCodeValue },
    attributes: endedSpanAttributes(span.attributes),
    events: recordEvents(span.events),
    resource: recordResource(span.resource),
    scope,
  };
  if (span.status.message) record.status.message = span.status.message;
  // 2.x: `parentSpanContext` replaced `parentSpanId`.
  const parentId = span.parentSpanContext?.spanId;
  if (parentId) record.parentSpanId = parentId;
  return record;
}

/**
 * `SpanRecord` → `ReadableSpan`, so spans rebuilt from summary events (zero-code mode) go out
 * through the same SDK exporters as live spans. One SDK Resource per record resource object: the
 * OTLP transformer groups spans by Resource identity.
 */
import { TraceFlags, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Attributes, SpanRecord } from '../contract/span-record.js';
import { identityMemo } from '../contract/cache.js';
import { parentIsRemote } from '../contract/span-flags.js';

const NS_PER_SECOND = 1_000_000_000n;

function toHrTime(ns: bigint): HrTime {
  return [Number(ns / NS_PER_SECOND), Number(ns % NS_PER_SECOND)];
}

/**
 * One SDK Resource per record resource object, so spans that shared a resource record still share
 * one Resource (the OTLP exporter groups spans by it). Cached by identity for every key (cache.ts):
 * a SpanRecord's resource is never changed once the record is built.
 */
const sdkResource = identityMemo((attributes: Attributes): Resource => resourceFromAttributes({ ...attributes }));

export function toReadableSpan(record: SpanRecord): ReadableSpan {
  const durationNs = record.endTimeUnixNano - record.startTimeUnixNano;
  const span: ReadableSpan = {
    name: record.name,
    kind: record.kind,
    spanContext: () => ({ traceId: record.traceId, spanId: record.spanId, traceFlags: TraceFlags.SAMPLED }),
    parentSpanContext: record.parentSpanId
      ? {
          traceId: record.traceId,
          spanId: record.parentSpanId,
          traceFlags: TraceFlags.SAMPLED,
          // The contract's rule, so the SDK exporter writes the flags the contract's writer writes.
          isRemote: parentIsRemote(record),
        }
      : undefined,
    startTime: toHrTime(record.startTimeUnixNano),
    endTime: toHrTime(record.endTimeUnixNano),
    status: { code: record.status.code, message: record.status.message },
    attributes: { ...record.attributes },
    links: [],
    events: record.events.map((e) => ({
      name: e.name,
      time: toHrTime(e.timeUnixNano),
      attributes: { ...e.attributes },
    })),
    duration: toHrTime(durationNs > 0n ? durationNs : 0n),
    ended: true,
    resource: sdkResource(record.resource),
    instrumentationScope: { name: record.scope.name, version: record.scope.version },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
  return span;
}

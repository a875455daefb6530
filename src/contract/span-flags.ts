/**
 * OTLP `Span.flags`, the one rule every writer of a span follows (the contract's OTLP/JSON writer,
 * and the SDK export path zero-code mode feeds): the W3C trace flags in the low 8 bits (sampled —
 * every exported span is), bit 8 "whether the parent is remote is known", bit 9 "the parent is
 * remote". The OpenTelemetry JS exporter always writes bits 0 and 8, and bit 9 for a span whose
 * parent context is remote (otlp-transformer's buildSpanFlagsFrom); Jaeger keeps two copies of
 * one span whose flags differ, as it keeps any two that do not hash alike (docs/mapping.md#one-id-one-span).
 * https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
 *
 * Which parent is remote: a slice's parent is the hand-over it consumed, from another process
 * (extractSqsContext, extractRedisContext); a descendant's parent is a span of its own process. A
 * slice nested in another slice of the same process has a local parent the line cannot show: its
 * rebuilt flags say remote (a documented limit).
 */
import { ALAKAI_EVENT } from './attribute-keys.js';
import type { SpanRecord } from './span-record.js';

const SAMPLED = 0x01;
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** Is the span's parent in another process? Only a slice span (it has `alakai.event`) with a parent. */
export function parentIsRemote(span: SpanRecord): boolean {
  const attributes: unknown = span.attributes;
  return (
    typeof span.parentSpanId === 'string' &&
    span.parentSpanId !== '' &&
    typeof attributes === 'object' &&
    attributes !== null &&
    Object.hasOwn(attributes, ALAKAI_EVENT)
  );
}

/** `Span.flags` of an exported span: 257 (0x101), or 769 (0x301) when its parent is remote. */
export function spanFlags(span: SpanRecord): number {
  return SAMPLED | HAS_IS_REMOTE | (parentIsRemote(span) ? IS_REMOTE : 0);
}

/**
 * What X-Ray's OTLP endpoint refuses, checked before sending so those spans are counted by reason
 * instead of failing a whole request, and how a batch is cut so every request fits. The figures,
 * from "Endpoint limits and restrictions" in
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-OTLPEndpoint.html :
 *   - at most 10,000 spans and 5 MB of uncompressed payload a request;
 *   - at most 200 KB a span;
 *   - no span created more than 14 days in the past or 2 hours in the future (one such span gets
 *     the whole request refused);
 *   - at most 24 hours between the spans of one request.
 * "MB" and "KB" are read as the smaller decimal units, and a span's size as its own whole OTLP/JSON
 * request (resource and scope included): both err on the side of a request X-Ray takes.
 */
import { encodeOtlpJsonLine } from '../contract/otlp-json.js';
import type { SpanRecord } from '../contract/span-record.js';

export const XRAY_MAX_SPANS_PER_REQUEST = 10_000;
export const XRAY_MAX_REQUEST_BYTES = 5_000_000;
export const XRAY_MAX_SPAN_BYTES = 200_000;
export const XRAY_MAX_AGE_MS = 14 * 24 * 3_600_000;
export const XRAY_MAX_FUTURE_MS = 2 * 3_600_000;
export const XRAY_MAX_REQUEST_RANGE_MS = 24 * 3_600_000;

/** Why a span is not sent to X-Ray: stable names, counted in the report's `notSent`. */
export type XrayRefusal =
  'xray_older_than_14_days' | 'xray_more_than_2h_in_future' | 'xray_span_over_200kb' | 'xray_span_longer_than_24h';

const MS = 1_000_000n;

/** The span's own size as X-Ray measures a request: its uncompressed OTLP/JSON bytes. */
export function spanRequestBytes(span: SpanRecord): number {
  return Buffer.byteLength(encodeOtlpJsonLine([span]));
}

/** The reason X-Ray would refuse `span` at `nowMs`, or undefined when it takes it. */
export function xrayRefusal(span: SpanRecord, nowMs: number, bytes = spanRequestBytes(span)): XrayRefusal | undefined {
  const oldest = BigInt(Math.max(0, Math.floor(nowMs - XRAY_MAX_AGE_MS))) * MS;
  const newest = BigInt(Math.floor(nowMs + XRAY_MAX_FUTURE_MS)) * MS;
  if (span.startTimeUnixNano < oldest) return 'xray_older_than_14_days';
  if (span.startTimeUnixNano > newest || span.endTimeUnixNano > newest) return 'xray_more_than_2h_in_future';
  if (span.endTimeUnixNano - span.startTimeUnixNano > BigInt(XRAY_MAX_REQUEST_RANGE_MS) * MS)
    return 'xray_span_longer_than_24h';
  if (bytes > XRAY_MAX_SPAN_BYTES) return 'xray_span_over_200kb';
  return undefined;
}

/** Keeps what X-Ray takes; counts the rest in `notSent` by reason. */
export function filterForXray(spans: SpanRecord[], nowMs: number, notSent: Record<string, number>): SpanRecord[] {
  const kept: SpanRecord[] = [];
  for (const span of spans) {
    const reason = xrayRefusal(span, nowMs);
    if (reason) notSent[reason] = (notSent[reason] ?? 0) + 1;
    else kept.push(span);
  }
  return kept;
}

/**
 * Cuts spans (already filtered) into requests X-Ray takes: each at most `maxSpans` spans, at most
 * 5 MB (the sum of the spans' own request sizes, which is never less than their joint request),
 * and at most 24 h from its earliest start to its latest end. Order is kept.
 */
export function cutForXray(spans: readonly SpanRecord[], maxSpans = XRAY_MAX_SPANS_PER_REQUEST): SpanRecord[][] {
  const requests: SpanRecord[][] = [];
  let current: SpanRecord[] = [];
  let bytes = 0;
  let earliest = 0n;
  let latest = 0n;
  const range = BigInt(XRAY_MAX_REQUEST_RANGE_MS) * MS;
  for (const span of spans) {
    const size = spanRequestBytes(span);
    const start = current.length === 0 || span.startTimeUnixNano < earliest ? span.startTimeUnixNano : earliest;
    const end = current.length === 0 || span.endTimeUnixNano > latest ? span.endTimeUnixNano : latest;
    if (
      current.length > 0 &&
      (current.length >= Math.min(maxSpans, XRAY_MAX_SPANS_PER_REQUEST) ||
        bytes + size > XRAY_MAX_REQUEST_BYTES ||
        end - start > range)
    ) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    if (current.length === 0) {
      earliest = span.startTimeUnixNano;
      latest = span.endTimeUnixNano;
    } else {
      earliest = start;
      latest = end;
    }
    current.push(span);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

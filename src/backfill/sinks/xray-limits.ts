/**
 * What X-Ray's OTLP endpoint refuses, checked before sending so those spans are reported by
 * reason instead of vanishing: spans older than 14 days and spans over 200 KB.
 * https://docs.aws.amazon.com/xray/latest/devguide/xray-opentelemetry.html (OTLP endpoint limits)
 */
import { encodeOtlpJsonLine } from '../../contract/otlp-json.js';
import type { SpanRecord } from '../../contract/span-record.js';

export const XRAY_MAX_AGE_MS = 14 * 24 * 3_600_000;
export const XRAY_MAX_SPAN_BYTES = 200 * 1024;

/** True for endpoints that are X-Ray's own OTLP endpoint (xray.<region>.amazonaws.com). */
export function isXrayEndpoint(url: string): boolean {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return /^xray\.[a-z0-9-]{1,30}\.amazonaws\.com(\.cn)?$/.test(host);
  } catch {
    return false;
  }
}

/** Keeps what X-Ray takes; counts the rest in `notSent` by reason. */
export function filterForXray(spans: SpanRecord[], nowMs: number, notSent: Record<string, number>): SpanRecord[] {
  const oldest = BigInt(Math.max(0, nowMs - XRAY_MAX_AGE_MS)) * 1_000_000n;
  const kept: SpanRecord[] = [];
  for (const span of spans) {
    let reason: string | undefined;
    if (span.endTimeUnixNano < oldest) reason = 'xray_older_than_14_days';
    else if (Buffer.byteLength(encodeOtlpJsonLine([span])) > XRAY_MAX_SPAN_BYTES) reason = 'xray_span_over_200kb';
    if (reason) notSent[reason] = (notSent[reason] ?? 0) + 1;
    else kept.push(span);
  }
  return kept;
}

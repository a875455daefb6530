/**
 * Alakai trace id ⇄ OpenTelemetry trace id (docs/mapping.md, "Trace id policy").
 *
 * Alakai's trace ids are UUIDs (GitHub's `x-github-delivery` header, or a UUIDv4 per Slack
 * command); their 32 hex digits ARE the OTel trace id, so Jaeger/X-Ray links and the guide's
 * `filter trace_id = "<uuid>"` point at the same execution. Anything else that is printable and
 * short is mapped by hash (deterministic, so every slice of the execution still lands in one
 * trace) and the original text is kept in the `alakai.trace_id` attribute.
 */
import { createHash, randomUUID } from 'node:crypto';

export const MAX_TRACE_ID_LENGTH = 256;

export type TraceIdMapping =
  { ok: true; traceId: string; exact: boolean } | { ok: false; reason: 'empty' | 'too_long' | 'not_printable_ascii' };

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX32_RE = /^[0-9a-fA-F]{32}$/;
const LOWER_HEX32_RE = /^[0-9a-f]{32}$/;
const PRINTABLE_ASCII_RE = /^[\x20-\x7e]+$/;
/** The W3C/OTel invalid trace id: never produced, even from an all-zero UUID. */
const INVALID_TRACE_ID = '00000000000000000000000000000000';

/**
 * The 32 hex digits of a canonical (lower-case) UUID, or undefined. A char-code scan: the backfill
 * maps a trace id per line, and this is the form nearly all of them have.
 */
function lowerUuidHex(id: string): string | undefined {
  if (id.length !== 36) return undefined;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return undefined; // '-'
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) {
      return undefined;
    }
  }
  return id.slice(0, 8) + id.slice(9, 13) + id.slice(14, 18) + id.slice(19, 23) + id.slice(24);
}

export function toOtelTraceId(alakaiTraceId: string): TraceIdMapping {
  const fast = typeof alakaiTraceId === 'string' ? lowerUuidHex(alakaiTraceId) : undefined;
  if (fast !== undefined && fast !== INVALID_TRACE_ID) return { ok: true, traceId: fast, exact: true };
  if (typeof alakaiTraceId !== 'string' || alakaiTraceId.length === 0) return { ok: false, reason: 'empty' };
  if (alakaiTraceId.length > MAX_TRACE_ID_LENGTH) return { ok: false, reason: 'too_long' };
  let hex: string | undefined;
  if (alakaiTraceId.length === 36 && UUID_RE.test(alakaiTraceId)) hex = alakaiTraceId.replace(/-/g, '').toLowerCase();
  else if (alakaiTraceId.length === 32 && HEX32_RE.test(alakaiTraceId)) hex = alakaiTraceId.toLowerCase();
  if (hex !== undefined && hex !== INVALID_TRACE_ID) return { ok: true, traceId: hex, exact: true };
  if (!PRINTABLE_ASCII_RE.test(alakaiTraceId)) return { ok: false, reason: 'not_printable_ascii' };
  return { ok: true, traceId: derivedTraceId(alakaiTraceId), exact: false };
}

function derivedTraceId(id: string): string {
  const digest = createHash('sha256').update(id, 'utf8').digest('hex');
  const head = digest.slice(0, 32);
  // 2^-128 chance; the fallback keeps the "never invalid" promise without a special case upstream.
  return head === INVALID_TRACE_ID ? digest.slice(32, 64) : head;
}

/** 32 hex digits → the lowercase 8-4-4-4-12 UUID form. Other input is returned unchanged. */
export function toAlakaiTraceId(otelTraceId: string): string {
  const hex = otelTraceId.toLowerCase();
  if (!LOWER_HEX32_RE.test(hex)) return otelTraceId;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A fresh trace id for an execution that does not come with one (the Slack handler's UUIDv4). */
export function newAlakaiTraceId(): string {
  return randomUUID();
}

/**
 * True when the Alakai id cannot be recovered from the OTel trace id alone (derived ids, upper
 * case, the bare 32-hex form): then the original travels in attribute `alakai.trace_id`.
 */
export function needsOriginalTraceId(alakaiTraceId: string, otelTraceId: string): boolean {
  if (isLowerUuidOf(alakaiTraceId, otelTraceId)) return false;
  return toAlakaiTraceId(otelTraceId) !== alakaiTraceId;
}

/**
 * True when `alakaiTraceId` is the lower-case UUID form of `otelTraceId` (and `otelTraceId` is
 * lower-case hex): compared in place, character by character — this runs for every span the
 * backfill builds, and slicing the UUID into a new string each time was garbage.
 */
function isLowerUuidOf(alakaiTraceId: string, otelTraceId: string): boolean {
  if (alakaiTraceId.length !== 36 || otelTraceId.length !== 32) return false;
  let h = 0;
  for (let i = 0; i < 36; i++) {
    const c = alakaiTraceId.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false; // '-'
    } else {
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) || c !== otelTraceId.charCodeAt(h)) return false;
      h++;
    }
  }
  return true;
}

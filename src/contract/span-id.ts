/**
 * The span id's text form, the one rule every reader and writer of a span id shares (the summary
 * line's bridge extension, its validation, the mapping to spans, OTLP/JSON): 8 bytes as 16
 * lower-case hex digits. The all-zero id is the W3C "invalid" id and never names a span.
 * https://www.w3.org/TR/trace-context/#parent-id
 */
export const SPAN_ID_RE = /^[0-9a-f]{16}$/;
export const ZERO_SPAN_ID = '0000000000000000';

/** A span id that can name a span: the text form, and not the invalid all-zero id. */
export function isValidSpanId(value: unknown): value is string {
  return typeof value === 'string' && SPAN_ID_RE.test(value) && value !== ZERO_SPAN_ID;
}

/**
 * The one fast path for writing a JSON string, shared by the hand-written writers (otlp-json.ts,
 * otel-extension.ts). Their output must equal JSON.stringify's byte for byte (property tests in
 * test/unit/contract hold them to it), so a string goes out as itself between quotes only when
 * JSON.stringify would write exactly that.
 */

/**
 * What JSON.stringify escapes: quote, backslash, control characters, and surrogates (a lone one is
 * escaped; a pair is not, but is rare enough to send through JSON.stringify too). One character
 * class, no quantifier: linear, no backtracking.
 * https://tc39.es/ecma262/#sec-quotejsonstring
 */
// eslint-disable-next-line no-control-regex -- the characters JSON requires escaped (RFC 8259 §7)
const NEEDS_JSON_ESCAPE_RE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** True when JSON.stringify(value) is value between quotes. */
export function isBareJsonString(value: string): boolean {
  return !NEEDS_JSON_ESCAPE_RE.test(value);
}

/** `value` quoted as JSON.stringify quotes it, without a call into it for the usual string. */
export function quoteJson(value: string): string {
  return isBareJsonString(value) ? '"' + value + '"' : JSON.stringify(value);
}

/** The contract both directions share: pure, no I/O. */
export * from './span-record.js';
export * from './summary-event.js';
export * from './attribute-keys.js';
export * from './otlp-json.js';
export { toOtelTraceId, toAlakaiTraceId, newAlakaiTraceId, MAX_TRACE_ID_LENGTH, type TraceIdMapping } from './trace-id.js';
export { sanitizeText, DEFAULT_MAX_TEXT_LENGTH, TRUNCATION_MARKER, redactionMarker, type SecretKind } from './sanitize.js';
export { componentResource, defaultServiceName } from './resource.js';
export { DEFAULT_MAX_LINE_BYTES } from './limits.js';
export { parseLogLine, validateSummaryEvent, type ParsedLine, type StepLog, type RejectReason } from './parse.js';
export type { CheckedField } from './reject-reasons.js';
export { needsOriginalTraceId } from './trace-id.js';
export { sliceToSummaryEvent } from './spans-to-event.js';
export { summaryEventToSpans, isBridgedEvent, legacySpanId } from './event-to-spans.js';
export {
  decodeOtelExtension,
  MAX_DESCENDANTS,
  MAX_EXTENSION_CHARS,
  OTEL_EXTENSION_VERSION,
  type DecodedExtension,
  type OtelExtension,
  type ExtensionDescendant,
  type ExtensionEvent,
} from './otel-extension.js';
export { MAX_DOMAIN_STRING, MAX_NAME_LENGTH, MAX_STEPS } from './validate.js';

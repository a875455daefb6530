/**
 * `alakai-otel/contract`: the contract both directions share, pure, no I/O — for tools that read
 * or write summary lines and spans. Named one by one: every name here is a promise (api/ holds
 * the report `npm run api:check` compares against); internals are imported from their modules.
 */
export {
  SPAN_KIND,
  STATUS_CODE,
  type AttributeValue,
  type Attributes,
  type ScopeRecord,
  type SpanEventRecord,
  type SpanKindValue,
  type SpanRecord,
  type StatusCodeValue,
} from './span-record.js';
export {
  COMPONENTS,
  EVENT_MSG_PREFIX,
  GUIDE_FIELDS,
  LOG_GROUPS,
  OUTCOMES,
  STEP_STATUSES,
  type Component,
  type DomainFields,
  type Outcome,
  type StepStatus,
  type SummaryError,
  type SummaryEvent,
} from './summary-event.js';
export {
  ALAKAI_COMPONENT,
  ALAKAI_EVENT,
  ALAKAI_FINAL_STATUS,
  ALAKAI_LEGACY,
  ALAKAI_LEGACY_LINKED,
  ALAKAI_OUTCOME,
  ALAKAI_STEP,
  ALAKAI_STEPS_DECLARED,
  ALAKAI_STEPS_PREFIX,
  ALAKAI_TRACE_ID,
} from './attribute-keys.js';
export { encodeOtlpJsonLine, fromOtlpRequest, OtlpDecodeError } from './otlp-json.js';
export {
  toOtelTraceId,
  toAlakaiTraceId,
  newAlakaiTraceId,
  needsOriginalTraceId,
  MAX_TRACE_ID_LENGTH,
  type TraceIdMapping,
} from './trace-id.js';
export {
  sanitizeText,
  DEFAULT_MAX_TEXT_LENGTH,
  TRUNCATION_MARKER,
  redactionMarker,
  type SecretKind,
} from './sanitize.js';
export { componentResource, defaultServiceName } from './resource.js';
export { DEFAULT_MAX_LINE_BYTES, MAX_DOMAIN_STRING, MAX_NAME_LENGTH, MAX_STEPS } from './limits.js';
export { parseLogLine, validateSummaryEvent, type RejectReason } from './parse.js';
export type { ParsedLine, ParsedSummary, ParsedStepLine, StepLine } from './parsed-line.js';
export type { CheckedField, Rejection } from './reject-reasons.js';
export type { ValidationResult } from './validate.js';
export type { AttributeDiff } from './attribute-diff.js';
export { sliceToSummaryEvent } from './spans-to-event.js';
export { summaryEventToSpans, summaryLineToSpans, isBridgedEvent } from './event-to-spans.js';
export { legacySpanId, type Linkage } from './legacy-span-id.js';
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

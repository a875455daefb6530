/**
 * alakai-otel: the SDK for services (instrument slices and get both the `[event]` lines and the
 * traces; internals such as the processors, the id generator and the span converters stay in their
 * modules), and the contract's functions a tool builder needs to read summary lines and map
 * them to spans (all of the contract: `alakai-otel/contract`). Named one by one: every name here is a promise (api/ holds the report `npm run api:check` compares against).
 */
export {
  setupAlakaiTracing,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  type AlakaiTracing,
  type AlakaiTracingOptions,
} from './sdk/setup.js';
export type { Slice, SliceOptions } from './sdk/slice.js';
export { alakaiLogMixin, type AlakaiLogMixin, type AlakaiLogFields } from './sdk/log-mixin.js';
export type { SummaryProcessorLimits, SummaryProcessorCounters } from './sdk/summary-processor.js';
export type { CountingBatchProcessor, ExportQueueOptions } from './sdk/export-processor.js';
export { OtlpJsonFileExporter } from './sdk/otlp-file-exporter.js';
export { isoTimestamp } from './sdk/logger.js';
export { enableZeroCode, type ZeroCodeHandle, type ZeroCodeCounters } from './sdk/zero-code.js';
export { getAlakaiTracing } from './sdk/setup.js';
export type { DropReason, StatsCounter, TracingStats } from './sdk/stats.js';
export {
  injectSqsAttributes,
  extractSqsContext,
  sqsAttributesNotFitted,
  SQS_MAX_MESSAGE_ATTRIBUTES,
  type SqsMessageAttributeValue,
} from './sdk/propagation/sqs.js';
export { injectRedisPayload, extractRedisContext } from './sdk/propagation/redis.js';
export { withProducerSpan, type ProducerTarget } from './sdk/propagation/producer.js';
export {
  parseLogLine,
  validateSummaryEvent,
  summaryEventToSpans,
  sliceToSummaryEvent,
  toOtelTraceId,
  toAlakaiTraceId,
  SPAN_KIND,
  STATUS_CODE,
  type Attributes,
  type AttributeValue,
  type CheckedField,
  type DomainFields,
  type Outcome,
  type ParsedLine,
  type RejectReason,
  type Rejection,
  type ScopeRecord,
  type SpanEventRecord,
  type SpanKindValue,
  type SpanRecord,
  type StatusCodeValue,
  type ParsedSummary,
  type ParsedStepLine,
  type StepLine,
  type StepStatus,
  type SummaryError,
  type SummaryEvent,
  type TraceIdMapping,
  type ValidationResult,
} from './contract/index.js';

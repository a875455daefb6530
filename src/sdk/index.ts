/** The SDK side: instrument slices in a service and get both the `[event]` lines and the traces. */
export { setupAlakaiTracing, DEFAULT_SHUTDOWN_TIMEOUT_MS, type AlakaiTracing, type AlakaiTracingOptions } from './setup.js';
export { runSlice, ALAKAI_HANDOVER_TRACEPARENT, type Slice, type SliceOptions } from './slice.js';
export { alakaiLogMixin, type AlakaiLogMixin, type AlakaiLogFields } from './log-mixin.js';
export { SummaryEventProcessor, type SummaryProcessorLimits, type SummaryProcessorCounters } from './summary-processor.js';
export { CountingBatchProcessor, type ExportQueueOptions } from './export-processor.js';
export { RecordAllSampler, samplerFromEnv } from './sampler.js';
export { OtlpJsonFileExporter } from './otlp-file-exporter.js';
export { toSpanRecord, hrTimeToBigInt } from './readable-span.js';
export { toReadableSpan } from './record-to-readable.js';
export { createDefaultLogger, isoTimestamp } from './logger.js';
export { enableZeroCode, type ZeroCodeHandle, type ZeroCodeCounters } from './zero-code.js';
export { getAlakaiTracing } from './global.js';
export { AsyncLocalStorageContextManager } from './context-manager.js';
export { AlakaiIdGenerator } from './id-generator.js';
export type { TracingStats } from './stats.js';
export { injectSqsAttributes, extractSqsContext, sqsAttributesNotFitted, SQS_MAX_MESSAGE_ATTRIBUTES, type SqsMessageAttributeValue } from './propagation/sqs.js';
export { injectRedisPayload, extractRedisContext } from './propagation/redis.js';
export { withProducerSpan, type ProducerTarget } from './propagation/producer.js';

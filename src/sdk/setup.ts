/**
 * setupAlakaiTracing: one call per service. Builds the tracer provider with
 *  - the summary processor (one `[event]` line per slice, for every slice, sampled or not),
 *  - one bounded batch export path per exporter (OTLP/HTTP by default),
 *  - the Alakai resource (service.name, service.namespace=alakai, cloud.platform=aws_ecs,
 *    aws.log.group.names) merged with OTEL_RESOURCE_ATTRIBUTES,
 *  - the env-configured sampler, upgraded so unsampled slices are still recorded and logged,
 * and flushes on SIGTERM/SIGINT within `shutdownTimeoutMs`.
 */
import { diag, type Attributes, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type Sampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import { SCOPE_NAME } from '../contract/attribute-keys.js';
import { componentResource } from '../contract/resource.js';
import { MAX_DOMAIN_STRING } from '../contract/validate.js';
import { withinTimeout } from './bounded.js';
import { ensureContextManager } from './context-manager.js';
import { CountingBatchProcessor, type ExportQueueOptions } from './export-processor.js';
import { registerExportPaths } from './export-registry.js';
import { AlakaiIdGenerator } from './id-generator.js';
import { createDefaultLogger, flushLogger } from './logger.js';
import { RecordAllSampler, samplerFromEnv } from './sampler.js';
import { handleShutdownSignals, type SignalHandling } from './signals.js';
import { runSlice as runSliceWith, type Slice, type SliceOptions } from './slice.js';
import { StatsCounter, type TracingStats } from './stats.js';
import { SummaryEventProcessor, type SummaryProcessorLimits } from './summary-processor.js';
import { PACKAGE_VERSION } from './version.js';
import { enableZeroCode, type ZeroCodeHandle } from './zero-code.js';

export interface AlakaiTracingOptions {
  service: string;
  component: 'core' | 'orchestrator' | 'worker' | string;
  /** Default: pino to stdout, ISO time, no pid/hostname, `service` and `component` bound. */
  logger?: Logger;
  /** Default: OTLPTraceExporter (OTLP/HTTP) configured from OTEL_EXPORTER_OTLP_* variables. */
  exporter?: SpanExporter;
  /** More exporters, each with its own bounded queue (e.g. an OtlpJsonFileExporter). */
  extraExporters?: SpanExporter[];
  /** Default: from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (parentbased_always_on). */
  sampler?: Sampler;
  resourceAttributes?: Attributes;
  /** Also turn summary events the service logs by hand through `logger` into spans. */
  zeroCode?: boolean;
  /** Bound on shutdown/flush; default 10 000 ms, well under ECS's 30 s stop timeout. */
  shutdownTimeoutMs?: number;
  /** Default true: SIGTERM/SIGINT flush, then the process's own handlers run (or the signal ends it). */
  handleSignals?: boolean;
  /** Export queue tuning (defaults: the BatchSpanProcessor's, OTEL_BSP_* honoured). */
  exportQueue?: ExportQueueOptions;
  /** Bounds of the summary processor's per-slice state. */
  summaryLimits?: SummaryProcessorLimits;
}

export interface AlakaiTracing {
  tracer: Tracer;
  provider: BasicTracerProvider;
  logger: Logger;
  runSlice<T>(options: SliceOptions, fn: (slice: Slice) => Promise<T> | T): Promise<T>;
  /** Exports queued spans and flushes the log destination, bounded by shutdownTimeoutMs. */
  forceFlush(): Promise<void>;
  /** Idempotent; bounded by shutdownTimeoutMs; never rejects. */
  shutdown(): Promise<void>;
  stats(): TracingStats;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

function serviceResource(options: AlakaiTracingOptions) {
  // OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME first; the component's own keys win over them so
  // the resource matches what the backfill derives from the same line (Jaeger dedupes on it).
  const fromEnv = detectResources({ detectors: [envDetector] }).attributes;
  return resourceFromAttributes({ ...fromEnv, ...componentResource(options.service, options.component), ...options.resourceAttributes });
}

/**
 * Attribute strings are capped at the contract's MAX_DOMAIN_STRING (64 KiB) unless the OTel
 * variables set a cap: an uncapped 1 MB domain field made a summary line over CloudWatch's 1 MB
 * event limit that the parser refuses (`too_large`), and a 1.3 MB span X-Ray refuses (found by
 * test/unit/reliability/limits.test.ts). The cap applies the same to the line and the exported
 * span, so the round trip stays exact.
 */
function spanLimits(env: NodeJS.ProcessEnv = process.env): { spanLimits?: { attributeValueLengthLimit: number } } {
  if (env.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT || env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT) return {};
  return { spanLimits: { attributeValueLengthLimit: MAX_DOMAIN_STRING } };
}

function exportProcessors(options: AlakaiTracingOptions, stats: StatsCounter): CountingBatchProcessor[] {
  const exporters = [options.exporter ?? new OTLPTraceExporter(), ...(options.extraExporters ?? [])];
  return exporters.map((exporter) => new CountingBatchProcessor(exporter, stats, options.exportQueue));
}

export function setupAlakaiTracing(options: AlakaiTracingOptions): AlakaiTracing {
  ensureContextManager();
  const timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const logger = options.logger ?? createDefaultLogger(options.service, options.component);
  const stats = new StatsCounter();
  const summary = new SummaryEventProcessor(logger, stats, options.summaryLimits);
  // Not named `exports`: in the CommonJS build that would shadow the module's own `exports`.
  const exportPaths = exportProcessors(options, stats);
  const provider = new BasicTracerProvider({
    resource: serviceResource(options),
    sampler: new RecordAllSampler(options.sampler ?? samplerFromEnv()),
    idGenerator: new AlakaiIdGenerator(),
    ...spanLimits(),
    spanProcessors: [summary, ...exportPaths],
  });
  const tracer = provider.getTracer(SCOPE_NAME, PACKAGE_VERSION);

  let zeroCode: ZeroCodeHandle | undefined;
  let signals: SignalHandling | undefined;
  let shutdownPromise: Promise<void> | undefined;

  const forceFlush = async (): Promise<void> => {
    // Logs flush beside the span export, not after it: summary lines are the record of every
    // slice and must not wait behind a collector that hangs (test/unit/reliability/shutdown.test.ts).
    const work = Promise.all([provider.forceFlush(), flushLogger(logger)]).then(() => flushLogger(logger));
    if ((await withinTimeout(work, timeoutMs)) === 'timeout') diag.warn(`alakai-otel: flush did not finish within ${timeoutMs} ms`);
  };

  const shutdown = (): Promise<void> => {
    shutdownPromise ??= (async () => {
      // Called by the signal handler itself: keep listening, so a second signal exits at once.
      if (!signals?.handling) signals?.dispose();
      zeroCode?.disable();
      const work = (async () => {
        const spans = provider.shutdown().catch((error: unknown) => diag.error(`alakai-otel: shutdown: ${(error as Error)?.message ?? error}`));
        await Promise.all([spans, flushLogger(logger)]);
        await flushLogger(logger); // lines of slices that ended while the spans were exported
      })();
      if ((await withinTimeout(work, timeoutMs)) === 'timeout') {
        diag.warn(`alakai-otel: shutdown did not finish within ${timeoutMs} ms; unexported spans are lost`);
        await withinTimeout(flushLogger(logger), Math.min(1000, timeoutMs));
      }
      for (const path of exportPaths) path.abandonPending();
      const s = stats.snapshot();
      if (s.spansDropped > 0) diag.warn(`alakai-otel: ${s.spansDropped} spans were dropped (${s.exportFailures} failed exports)`);
    })();
    return shutdownPromise;
  };

  const tracing: AlakaiTracing = {
    tracer,
    provider,
    logger,
    runSlice: (sliceOptions, fn) => runSliceWith(tracer, sliceOptions, fn),
    forceFlush,
    shutdown,
    stats: () => stats.snapshot(),
  };
  registerExportPaths(tracing, exportPaths);
  if (options.zeroCode) zeroCode = enableZeroCode(logger, tracing);
  if (options.handleSignals ?? true) signals = handleShutdownSignals({ flush: forceFlush, shutdown });
  return tracing;
}

/**
 * setupAlakaiTracing: one call per service. Builds the tracer provider with
 *  - the summary processor (one `[event]` line per slice, for every slice, sampled or not),
 *  - one bounded batch export path per exporter (OTLP/HTTP by default),
 *  - the Alakai resource (service.name, service.namespace=alakai, cloud.platform=aws_ecs,
 *    aws.log.group.names) merged with OTEL_RESOURCE_ATTRIBUTES,
 *  - the env-configured sampler, upgraded so unsampled slices are still recorded and logged,
 * and flushes on SIGTERM/SIGINT, and when the process ends on its own, within `shutdownTimeoutMs`.
 */
import { diag, type Attributes, type Tracer } from '@opentelemetry/api';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type Sampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { pino, type Logger } from 'pino';
import { SCOPE_NAME } from '../contract/attribute-keys.js';
import { componentResource } from '../contract/resource.js';
import { MAX_DOMAIN_STRING } from '../contract/validate.js';
import { withinTimeout } from './bounded.js';
import { componentProblem } from './component-check.js';
import { ensureContextManager } from './context-manager.js';
import { createDefaultExporter } from './default-exporter.js';
import { CountingBatchProcessor, type ExportQueueOptions } from './export-processor.js';
import { registerExportPaths } from './export-registry.js';
import { AlakaiIdGenerator } from './id-generator.js';
import { registeredTracing } from './global.js';
import { createDefaultLogger, flushLogger } from './logger.js';
import { noticeOnce } from './notice.js';
import { flushOnNaturalExit } from './natural-exit.js';
import { RecordAllSampler, samplerFromEnv } from './sampler.js';
import { handleShutdownSignals, type SignalHandling } from './signals.js';
import { runSlice as runSliceWith, type Slice, type SliceOptions } from './slice.js';
import { StatsCounter, type TracingStats } from './stats.js';
import { noticeLevelSuppresses, SummaryEventProcessor, type SummaryProcessorLimits } from './summary-processor.js';
import { PACKAGE_VERSION } from './version.js';
import { registerZeroCodeConverter, ZeroCodeConverter } from './zero-code.js';

export interface AlakaiTracingOptions {
  service: string;
  /** One of core, orchestrator, worker; anything else throws a TypeError (it would mislabel every line). */
  component: 'core' | 'orchestrator' | 'worker' | (string & {});
  /** Default: pino to stdout, ISO time, no pid/hostname, `service` and `component` bound. */
  logger?: Logger;
  /**
   * Default: OTLPTraceExporter (OTLP/HTTP) configured from OTEL_EXPORTER_OTLP_* variables, its
   * request timeout capped at shutdownTimeoutMs.
   */
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
  /**
   * Default true: when the event loop empties with spans still queued (the process ends on its own,
   * nobody called shutdown()), export them first, bounded by shutdownTimeoutMs. See natural-exit.ts.
   */
  flushOnExit?: boolean;
  /** Export queue tuning (these options, then OTEL_BSP_*, then the BatchSpanProcessor's defaults). */
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
  return resourceFromAttributes({
    ...fromEnv,
    ...componentResource(options.service, options.component),
    ...options.resourceAttributes,
  });
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

function exportProcessors(
  options: AlakaiTracingOptions,
  stats: StatsCounter,
  timeoutMs: number,
): CountingBatchProcessor[] {
  const main = options.exporter
    ? { exporter: options.exporter, destination: undefined }
    : createDefaultExporter(timeoutMs);
  const paths = [main, ...(options.extraExporters ?? []).map((exporter) => ({ exporter, destination: undefined }))];
  return paths.map(
    ({ exporter, destination }) => new CountingBatchProcessor(exporter, stats, options.exportQueue, destination),
  );
}

/**
 * The process's AlakaiTracing set up by `--import alakai-otel/register` (undefined when disabled).
 * Only register.ts fills the slot, and always with what setupAlakaiTracing returned.
 */
export function getAlakaiTracing(): AlakaiTracing | undefined {
  return registeredTracing() as AlakaiTracing | undefined;
}

/**
 * A component outside the guide's three would be written on every line (and pick no log group):
 * a library call with such an argument is a programming error, said at once. The register entry
 * checks first and reports instead, so a service is never kept from starting.
 */
function checkedComponent(component: unknown): void {
  const problem = componentProblem(component);
  if (problem) throw new TypeError(`alakai-otel: setupAlakaiTracing: ${problem}`);
}

export function setupAlakaiTracing(options: AlakaiTracingOptions): AlakaiTracing {
  checkedComponent(options.component);
  ensureContextManager();
  const timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const logger = options.logger ?? createDefaultLogger(options.service, options.component);
  noticeLevelSuppresses(logger);
  const stats = new StatsCounter();
  const summary = new SummaryEventProcessor(logger, stats, options.summaryLimits);
  // Not named `exports`: in the CommonJS build that would shadow the module's own `exports`.
  const exportPaths = exportProcessors(options, stats, timeoutMs);
  const provider = new BasicTracerProvider({
    resource: serviceResource(options),
    sampler: new RecordAllSampler(options.sampler ?? samplerFromEnv()),
    idGenerator: new AlakaiIdGenerator(),
    ...spanLimits(),
    spanProcessors: [summary, ...exportPaths],
  });
  const tracer = provider.getTracer(SCOPE_NAME, PACKAGE_VERSION);

  // Always there (it holds no timer until something is teed): enableZeroCode and the register
  // entry feed it later, and flush/shutdown drain it before the export paths flush.
  const zeroCode = new ZeroCodeConverter(exportPaths, stats);
  let signals: SignalHandling | undefined;
  let shutdownPromise: Promise<void> | undefined;
  let leaveNaturalExit: (() => void) | undefined;

  const flush = async (): Promise<'done' | 'timeout'> => {
    // Logs flush beside the span export, not after it: summary lines are the record of every
    // slice and must not wait behind a collector that hangs (test/unit/reliability/shutdown.test.ts).
    zeroCode.drain(); // lines logged just before: their conversion must not wait for setImmediate
    const work = Promise.all([provider.forceFlush(), flushLogger(logger)]).then(() => flushLogger(logger));
    const outcome = await withinTimeout(work, timeoutMs);
    if (outcome === 'timeout') diag.warn(`alakai-otel: flush did not finish within ${timeoutMs} ms`);
    return outcome;
  };

  const forceFlush = async (): Promise<void> => {
    await flush();
  };

  const shutdown = (): Promise<void> => {
    shutdownPromise ??= (async () => {
      // Called by the signal handler itself: keep listening, so a second signal exits at once.
      if (!signals?.handling) signals?.dispose();
      zeroCode.close(); // converts what waits; later summary lines are counted as dropped
      const work = (async () => {
        const spans = provider
          .shutdown()
          .catch((error: unknown) => diag.error(`alakai-otel: shutdown: ${(error as Error)?.message ?? error}`));
        await Promise.all([spans, flushLogger(logger)]);
        await flushLogger(logger); // lines of slices that ended while the spans were exported
      })();
      if ((await withinTimeout(work, timeoutMs)) === 'timeout') {
        // A loss: said on stderr too (notice.ts), not only to a diag logger the service may not have.
        noticeOnce('shutdown:timeout', `shutdown did not finish within ${timeoutMs} ms; unexported spans are lost`);
        await withinTimeout(flushLogger(logger), Math.min(1000, timeoutMs));
      }
      for (const path of exportPaths) path.abandonPending(timeoutMs);
      leaveNaturalExit?.(); // only now: an exit during shutdown still counts what was unsent
      const s = stats.snapshot();
      if (s.spansDropped > 0)
        noticeOnce(
          'shutdown:dropped',
          `${s.spansDropped} spans were dropped (${JSON.stringify(s.droppedBy)}; ${s.exportFailures} failed exports)`,
        );
    })();
    return shutdownPromise;
  };

  // The natural exit (natural-exit.ts): flush again only when spans were queued since the last
  // exit flush began, so the 'beforeExit' → flush → 'beforeExit' cycle ends.
  let queuedAtExitFlush = -1;
  const queuedTotal = (): number => exportPaths.reduce((n, path) => n + path.queued, 0);
  const exitParticipant = {
    wantsExitFlush: () =>
      shutdownPromise === undefined &&
      queuedTotal() !== queuedAtExitFlush &&
      exportPaths.some((path) => path.pending > 0),
    exitFlush: async () => {
      queuedAtExitFlush = queuedTotal();
      if ((await flush()) === 'timeout') {
        for (const path of exportPaths)
          path.close(
            'notSentInTime',
            (n) =>
              `the process ended on its own and ${n} spans were not exported within shutdownTimeoutMs (${timeoutMs} ms)`,
          );
      }
    },
    exiting: () => {
      for (const path of exportPaths) {
        path.close(
          'processExit',
          (n) =>
            `the process exited with ${n} spans not yet exported, so they are lost: call \`await tracing.shutdown()\` before process.exit()`,
        );
      }
    },
  };

  const tracing: AlakaiTracing = {
    tracer,
    provider,
    logger,
    runSlice: (sliceOptions, fn) => runSliceWith(tracer, sliceOptions, fn, logger),
    forceFlush,
    shutdown,
    stats: () => stats.snapshot(),
  };
  registerExportPaths(tracing, exportPaths);
  registerZeroCodeConverter(tracing, zeroCode);
  if (options.zeroCode)
    zeroCode.tee(
      (logger as unknown as Record<symbol, Parameters<ZeroCodeConverter['tee']>[0]>)[pino.symbols.streamSym],
    );
  if (options.handleSignals ?? true) signals = handleShutdownSignals({ flush: forceFlush, shutdown });
  if (options.flushOnExit ?? true) leaveNaturalExit = flushOnNaturalExit(exitParticipant);
  return tracing;
}

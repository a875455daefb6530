/**
 * `node --import alakai-otel/register app.js`: set up from the environment before the app runs.
 *
 *   OTEL_SERVICE_NAME            service name (default: the guide's, e.g. alakai-worker-implementation)
 *   ALAKAI_COMPONENT             core | orchestrator | worker (required; without it nothing is set up)
 *   OTEL_EXPORTER_OTLP_ENDPOINT  collector (read by the OTLP exporter; default http://localhost:4318)
 *   OTEL_RESOURCE_ATTRIBUTES     extra resource attributes
 *   OTEL_TRACES_SAMPLER(_ARG)    export sampling (every slice is logged regardless)
 *   OTEL_BSP_*                   export queue (max queue size, batch size, delay, timeout)
 *   OTEL_LOG_LEVEL               diag output: none|error|warn|info|debug|verbose|all (see below)
 *   OTEL_SDK_DISABLED=true       do nothing
 *   ALAKAI_ZERO_CODE=true        also turn hand-written summary events into spans (the default logger and
 *                                every pino logger the app creates)
 *
 * Registers the tracer provider and the W3C propagator globally so `trace.getTracer()` and
 * `propagation.inject()` work in the app; the instance is `getAlakaiTracing()`.
 *
 * A configuration mistake is said once on stderr (notice.ts), never thrown: the service always
 * starts, with tracing or without it. OTEL_LOG_LEVEL works as in the OTel SDK: when it is set (and
 * not NONE), a DiagConsoleLogger at that level is installed, and our notices then reach stderr
 * through it (not a second time on their own); NONE and ERROR silence them.
 */
import { diag, DiagConsoleLogger, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { isMainThread } from 'node:worker_threads';
import { defaultServiceName } from '../contract/resource.js';
import { sanitizeText } from '../contract/sanitize.js';
import { componentProblem } from './component-check.js';
import { setRegisteredTracing } from './global.js';
import { noticeOnce, noticesGoThroughDiag, shownValue } from './notice.js';
import { OTEL_LOG_LEVEL_NAMES, otelLogLevel } from './otel-log-level.js';
import { setupAlakaiTracing } from './setup.js';
import { enableZeroCodeForServiceLoggers } from './zero-code-loggers.js';

function truthy(value: string | undefined): boolean {
  return value !== undefined && ['true', '1', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** As `@opentelemetry/sdk-node` does at start: OTEL_LOG_LEVEL set (and not NONE) → a console diag logger. */
function installDiagLogger(env: NodeJS.ProcessEnv): void {
  const parsed = otelLogLevel(env);
  if (parsed.kind === 'unset') return;
  if (parsed.level !== DiagLogLevel.NONE) {
    diag.setLogger(new DiagConsoleLogger(), { logLevel: parsed.level, suppressOverrideMessage: true });
    noticesGoThroughDiag();
  }
  if (parsed.kind === 'unknown') {
    noticeOnce(
      'env:OTEL_LOG_LEVEL',
      `OTEL_LOG_LEVEL=${shownValue(parsed.raw)} is not one of ${OTEL_LOG_LEVEL_NAMES.join(', ')}; using INFO`,
    );
  }
}

function registerFromEnv(env: NodeJS.ProcessEnv): void {
  if (truthy(env.OTEL_SDK_DISABLED)) return;
  installDiagLogger(env);
  const component = env.ALAKAI_COMPONENT?.trim();
  const problem = componentProblem(component, 'ALAKAI_COMPONENT');
  if (problem) {
    noticeOnce('register:component', `${problem}; tracing is not set up (the service runs without it)`);
    return;
  }
  const service = env.OTEL_SERVICE_NAME?.trim() || defaultServiceName(component!);
  const zeroCode = truthy(env.ALAKAI_ZERO_CODE);
  const tracing = setupAlakaiTracing({ service, component: component!, zeroCode });
  if (zeroCode && isMainThread) enableZeroCodeForServiceLoggers(tracing); // not in pino's transport workers
  trace.setGlobalTracerProvider(tracing.provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  setRegisteredTracing(tracing);
}

try {
  registerFromEnv(process.env);
} catch (error) {
  // Tracing must never keep the service from starting.
  noticeOnce(
    'register:failed',
    `setup failed, tracing is not set up (the service runs without it): ${sanitizeText((error as Error)?.message ?? String(error), 300)}`,
  );
}

/**
 * `node --import alakai-otel/register app.js`: set up from the environment before the app runs.
 *
 *   OTEL_SERVICE_NAME            service name (default: the guide's, e.g. alakai-worker-implementation)
 *   ALAKAI_COMPONENT             core | orchestrator | worker (required; without it nothing is set up)
 *   OTEL_EXPORTER_OTLP_ENDPOINT  collector (read by the OTLP exporter; default http://localhost:4318)
 *   OTEL_RESOURCE_ATTRIBUTES     extra resource attributes
 *   OTEL_TRACES_SAMPLER(_ARG)    export sampling (every slice is logged regardless)
 *   OTEL_SDK_DISABLED=true       do nothing
 *   ALAKAI_ZERO_CODE=true        also turn hand-written summary events (through the default logger) into spans
 *
 * Registers the tracer provider and the W3C propagator globally so `trace.getTracer()` and
 * `propagation.inject()` work in the app; the instance is `getAlakaiTracing()`.
 */
import { diag, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultServiceName } from '../contract/resource.js';
import { setAlakaiTracing } from './global.js';
import { setupAlakaiTracing } from './setup.js';

function truthy(value: string | undefined): boolean {
  return value !== undefined && ['true', '1', 'yes', 'on'].includes(value.trim().toLowerCase());
}

function registerFromEnv(env: NodeJS.ProcessEnv): void {
  if (truthy(env.OTEL_SDK_DISABLED)) return;
  const component = env.ALAKAI_COMPONENT?.trim();
  if (!component) {
    diag.warn('alakai-otel/register: ALAKAI_COMPONENT is not set; tracing not set up');
    return;
  }
  const service = env.OTEL_SERVICE_NAME?.trim() || defaultServiceName(component);
  const tracing = setupAlakaiTracing({ service, component, zeroCode: truthy(env.ALAKAI_ZERO_CODE) });
  trace.setGlobalTracerProvider(tracing.provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  setAlakaiTracing(tracing);
}

try {
  registerFromEnv(process.env);
} catch (error) {
  // Tracing must never keep the service from starting.
  diag.error(`alakai-otel/register: setup failed: ${(error as Error)?.message ?? error}`);
}

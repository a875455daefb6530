/**
 * The SDK as the demo's components use it: the real src/sdk, nothing added. component-main.ts
 * imports from here, so the components see exactly the surface of sdk-port.ts.
 */
import { setupAlakaiTracing as setup } from '../sdk/setup.js';
import { OtlpJsonFileExporter } from '../sdk/otlp-file-exporter.js';
import { withProducerSpan } from '../sdk/propagation/producer.js';
import { extractSqsContext, injectSqsAttributes } from '../sdk/propagation/sqs.js';
import { extractRedisContext, injectRedisPayload } from '../sdk/propagation/redis.js';
import type { Component } from '../contract/summary-event.js';
import type { Propagation, Tracing } from './sdk-port.js';
import type { SqsMessageAttribute } from './handoff.js';

export { OtlpJsonFileExporter };

/** True when the environment asks for live OTLP/HTTP export (the SDK's default exporter reads it). */
export function otlpEndpointConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim());
}

/**
 * One component's SDK setup, as its service would write it: the spans file always, and the SDK's
 * default OTLP/HTTP exporter too when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 */
export function setupAlakaiTracing(options: { service: string; component: Component; spansFile: string }): Tracing {
  const file = new OtlpJsonFileExporter(options.spansFile);
  const tracing = otlpEndpointConfigured()
    ? setup({ service: options.service, component: options.component, extraExporters: [file] })
    : setup({ service: options.service, component: options.component, exporter: file });
  return tracing;
}

export const propagationHelpers: Propagation = {
  withProducerSpan: (tracer, target, fn) => withProducerSpan(tracer, target, fn),
  injectSqsAttributes: (attributes, context) => {
    // The SDK types attributes like the AWS SDK (DataType may be undefined); the demo's messages
    // carry string attributes only, so keep exactly those.
    const out: Record<string, SqsMessageAttribute> = {};
    for (const [key, value] of Object.entries(injectSqsAttributes(attributes, context))) {
      if (typeof value.DataType === 'string' && typeof value.StringValue === 'string') out[key] = { DataType: value.DataType, StringValue: value.StringValue };
    }
    return out;
  },
  extractSqsContext,
  injectRedisPayload,
  extractRedisContext,
};

/**
 * The exporter a service gets when it names none: OTLP/HTTP, configured from the
 * OTEL_EXPORTER_OTLP_* variables by the exporter itself. Two things are added around it:
 *
 * - Its endpoint, as the exporter will resolve it, for messages: a notice that says "cannot export
 *   to http://collector:4318/v1/traces" tells the owner which setting to fix. Only scheme, host and
 *   path are shown (no credentials, no query). An endpoint that is not a URL is said: the exporter
 *   would otherwise fall back to localhost, warning only through diag.
 * - Its per-request timeout is capped at shutdownTimeoutMs. A request in flight holds a socket and
 *   retry timers that keep the event loop alive: with a hanging collector, a process that ends on
 *   its own would otherwise linger until the exporter's timeout (10 s by default, any value the
 *   variables set), however short the shutdown bound. A timeout the variables set below the bound
 *   is left to the exporter.
 * Endpoint and timeout rules: https://opentelemetry.io/docs/specs/otel/protocol/exporter/
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { noticeOnce, shownValue } from './notice.js';

export const DEFAULT_OTLP_TRACES_URL = 'http://localhost:4318/v1/traces';
const DEFAULT_OTLP_TIMEOUT_MS = 10_000;

function set(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function shownUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function parsed(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** Where the OTLP/HTTP exporter sends spans, for messages. Says an endpoint that is not a URL. */
export function otlpTracesDestination(env: NodeJS.ProcessEnv = process.env): string {
  const specific = set(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = set(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const [name, raw, url] =
    specific !== undefined
      ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific, parsed(specific)]
      : base !== undefined
        ? ['OTEL_EXPORTER_OTLP_ENDPOINT', base, parsed(base.endsWith('/') ? `${base}v1/traces` : `${base}/v1/traces`)]
        : [undefined, undefined, new URL(DEFAULT_OTLP_TRACES_URL)];
  if (url) return shownUrl(url);
  noticeOnce(
    `env:${name}`,
    `${name}=${shownValue(raw)} is not a URL; spans are sent to ${DEFAULT_OTLP_TRACES_URL} instead`,
  );
  return DEFAULT_OTLP_TRACES_URL;
}

function positive(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = set(env, name);
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** The exporter's timeout as the variables set it (the signal-specific one first), or its default. */
export function otlpTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return (
    positive(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ??
    positive(env, 'OTEL_EXPORTER_OTLP_TIMEOUT') ??
    DEFAULT_OTLP_TIMEOUT_MS
  );
}

export function createDefaultExporter(
  shutdownTimeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): { exporter: SpanExporter; destination: string } {
  const destination = otlpTracesDestination(env);
  const cap = Math.max(1, Math.floor(shutdownTimeoutMs));
  const exporter = otlpTimeoutMs(env) > cap ? new OTLPTraceExporter({ timeoutMillis: cap }) : new OTLPTraceExporter();
  return { exporter, destination };
}

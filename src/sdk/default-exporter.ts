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
 *
 * X-Ray's OTLP endpoint (https://xray.<region>.amazonaws.com/v1/traces) takes only SigV4-signed
 * requests: for its hosts, and for any endpoint when ALAKAI_SIGV4=xray forces it (a VPC endpoint's
 * private DNS name, a proxy, a test fake), the exporter is SigV4OtlpExporter instead.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { SigV4ConfigError, sigv4TargetFor, type SigV4Target } from '../otlp-transport/sigv4-target.js';
import { noticeOnce, shownValue } from './notice.js';
import { SigV4OtlpExporter } from './sigv4-exporter.js';

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

/** The traces URL the OTLP/HTTP exporter resolves from the variables. Says an endpoint that is not a URL. */
function otlpTracesUrl(env: NodeJS.ProcessEnv): URL {
  const specific = set(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = set(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const [name, raw, url] =
    specific !== undefined
      ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific, parsed(specific)]
      : base !== undefined
        ? ['OTEL_EXPORTER_OTLP_ENDPOINT', base, parsed(base.endsWith('/') ? `${base}v1/traces` : `${base}/v1/traces`)]
        : [undefined, undefined, new URL(DEFAULT_OTLP_TRACES_URL)];
  if (url) return url;
  noticeOnce(
    `env:${name}`,
    `${name}=${shownValue(raw)} is not a URL; spans are sent to ${DEFAULT_OTLP_TRACES_URL} instead`,
  );
  return new URL(DEFAULT_OTLP_TRACES_URL);
}

/** Where the OTLP/HTTP exporter sends spans, for messages (scheme, host and path only). */
export function otlpTracesDestination(env: NodeJS.ProcessEnv = process.env): string {
  return shownUrl(otlpTracesUrl(env));
}

/**
 * SigV4 signing for the resolved endpoint: X-Ray's hosts always, any host with ALAKAI_SIGV4=xray.
 * A value that cannot be met (an unknown service, no region) is said once, and spans then go
 * unsigned (X-Ray answers 403, which the export path counts): the service starts regardless.
 */
export function sigv4TargetFromEnv(url: URL, env: NodeJS.ProcessEnv): SigV4Target | undefined {
  try {
    return sigv4TargetFor(url.href, set(env, 'ALAKAI_SIGV4'), env);
  } catch (err) {
    if (!(err instanceof SigV4ConfigError)) throw err;
    noticeOnce(
      'env:ALAKAI_SIGV4',
      `ALAKAI_SIGV4=${shownValue(env['ALAKAI_SIGV4'] ?? '')}: ${err.message}; requests are not signed`,
    );
    return undefined;
  }
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
  const url = otlpTracesUrl(env);
  const destination = shownUrl(url);
  const cap = Math.max(1, Math.floor(shutdownTimeoutMs));
  const target = sigv4TargetFromEnv(url, env);
  if (target) {
    const exporter = new SigV4OtlpExporter({
      endpoint: url.href,
      target,
      timeoutMs: Math.min(cap, otlpTimeoutMs(env)),
    });
    return { exporter, destination };
  }
  const exporter = otlpTimeoutMs(env) > cap ? new OTLPTraceExporter({ timeoutMillis: cap }) : new OTLPTraceExporter();
  return { exporter, destination };
}

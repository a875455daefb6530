/**
 * OTLP/HTTP with JSON bodies (POST {endpoint}, Content-Type: application/json), in batches of a
 * few hundred spans, one request at a time (the backfill must not flood a collector that is
 * catching up). Retries what the OTLP spec calls retryable — 429, 502, 503, 504 and network
 * errors — honouring Retry-After, with bounded attempts; anything else ends the run, and the
 * checkpoint (written only after a batch is acknowledged) lets it resume.
 * https://opentelemetry.io/docs/specs/otlp/#otlphttp-throttling
 */
import { encodeOtlpJsonLine } from '../../contract/otlp-json.js';
import type { SpanRecord } from '../../contract/span-record.js';
import { DEFAULT_RETRY, parseRetryAfter, withRetry, type RetryDecision, type RetryPolicy } from '../retry.js';
import type { SpanSink } from './span-sink.js';

export interface OtlpHttpSinkOptions {
  endpoint: string;
  headers?: Record<string, string>;
  batchSpans?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
  onRetry?: (reason: string) => void;
  /** Ends the request in flight and its retries (`live` at its shutdown bound: nothing may arrive after it is counted as not sent). */
  signal?: AbortSignal;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

export class OtlpExportError extends Error {
  override name = 'OtlpExportError';
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
    body: string,
  ) {
    super(`HTTP ${status}${body ? `: ${body.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`);
  }
}

/** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as is, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces` (OTLP exporter spec). */
export function defaultOtlpEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  if (traces) return traces;
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

function classify(err: unknown): RetryDecision {
  if (err instanceof HttpStatusError) {
    if (!RETRYABLE_STATUS.has(err.status)) return { retry: false };
    const afterMs = parseRetryAfter(err.retryAfter);
    return afterMs === undefined
      ? { retry: true, reason: `http_${err.status}` }
      : { retry: true, afterMs, reason: `http_${err.status}` };
  }
  // fetch rejects with TypeError on connection refused/reset, and AbortError/TimeoutError on our timeout.
  return { retry: true, reason: 'network' };
}

export class OtlpHttpSink implements SpanSink {
  spansWritten = 0;
  requests = 0;
  private buffer: SpanRecord[] = [];
  private readonly batchSpans: number;

  constructor(private readonly options: OtlpHttpSinkOptions) {
    this.batchSpans = Math.max(1, options.batchSpans ?? 256);
  }

  async write(spans: SpanRecord[]): Promise<void> {
    for (const s of spans) this.buffer.push(s);
    while (this.buffer.length >= this.batchSpans) await this.post(this.buffer.splice(0, this.batchSpans));
  }

  private async post(spans: SpanRecord[]): Promise<void> {
    const body = encodeOtlpJsonLine(spans);
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const stop = this.options.signal;
    try {
      await withRetry(
        async () => {
          stop?.throwIfAborted();
          this.requests++;
          const timeout = AbortSignal.timeout(timeoutMs);
          const res = await fetch(this.options.endpoint, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...this.options.headers },
            body,
            signal: stop ? AbortSignal.any([stop, timeout]) : timeout,
          });
          const text = await res.text().catch(() => '');
          if (!res.ok) throw new HttpStatusError(res.status, res.headers.get('retry-after'), text);
        },
        (err) => (stop?.aborted ? { retry: false } : classify(err)),
        this.options.retry ?? DEFAULT_RETRY,
        this.options.onRetry,
      );
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause ?? err;
      const what = cause instanceof HttpStatusError ? cause.message : String((cause as Error)?.message ?? cause);
      throw new OtlpExportError(
        `export to ${this.options.endpoint} failed: ${what}${err !== cause ? ` (${(err as Error).message})` : ''}`,
      );
    }
    this.spansWritten += spans.length;
  }

  async flush(): Promise<{ outputBytes?: number }> {
    while (this.buffer.length > 0) await this.post(this.buffer.splice(0, this.batchSpans));
    return {};
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

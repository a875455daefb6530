/**
 * OTLP/HTTP with JSON bodies (POST {endpoint}, Content-Type: application/json), in batches of a
 * few hundred spans, one request at a time (the backfill must not flood a collector that is
 * catching up). Retries are the transport's (otlp-transport/otlp-post.ts); a request that fails
 * for good ends the run, and the checkpoint (written only after a batch is acknowledged) lets it
 * resume.
 *
 * To X-Ray (`xray: true`), each batch is cut to X-Ray's request limits (otlp-transport/xray-limits.ts)
 * and gzip'd; with `sigv4`, every request is signed.
 */
import { encodeOtlpJsonLine } from '../../contract/otlp-json.js';
import type { SpanRecord } from '../../contract/span-record.js';
import { postOtlp } from '../../otlp-transport/otlp-post.js';
import { SigV4Signer, type CredentialSource } from '../../otlp-transport/sigv4-signer.js';
import type { SigV4Target } from '../../otlp-transport/sigv4-target.js';
import { cutForXray } from '../../otlp-transport/xray-limits.js';
import type { RetryPolicy } from '../retry.js';
import type { SpanSink } from './span-sink.js';

export interface OtlpHttpSinkOptions {
  endpoint: string;
  headers?: Record<string, string>;
  batchSpans?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
  onRetry?: (reason: string) => void;
  /** Sign every request with SigV4 for this service and region. */
  sigv4?: SigV4Target;
  /** Credentials for the signature (default: the AWS default chain). */
  credentials?: CredentialSource;
  /** The endpoint is X-Ray's: cut batches to its request limits and gzip them. */
  xray?: boolean;
  /** Ends the request in flight and its retries (`live` at its shutdown bound: nothing may arrive after it is counted as not sent). */
  signal?: AbortSignal;
}

/** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as is, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces` (OTLP exporter spec). */
export function defaultOtlpEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  if (traces) return traces;
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

export class OtlpHttpSink implements SpanSink {
  spansWritten = 0;
  requests = 0;
  private buffer: SpanRecord[] = [];
  private readonly batchSpans: number;
  private readonly signer: SigV4Signer | undefined;

  constructor(private readonly options: OtlpHttpSinkOptions) {
    this.batchSpans = Math.max(1, options.batchSpans ?? 256);
    this.signer = options.sigv4 ? new SigV4Signer(options.sigv4, options.credentials) : undefined;
  }

  async write(spans: SpanRecord[]): Promise<void> {
    for (const s of spans) this.buffer.push(s);
    while (this.buffer.length >= this.batchSpans) await this.post(this.buffer.splice(0, this.batchSpans));
  }

  private async post(spans: SpanRecord[]): Promise<void> {
    const requests = this.options.xray ? cutForXray(spans) : [spans];
    for (const request of requests) {
      await postOtlp(encodeOtlpJsonLine(request), {
        endpoint: this.options.endpoint,
        gzip: this.options.xray === true,
        ...(this.options.headers ? { headers: this.options.headers } : {}),
        ...(this.signer ? { signer: this.signer } : {}),
        timeoutMs: this.options.timeoutMs ?? 10_000,
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        ...(this.options.retry ? { retry: this.options.retry } : {}),
        onRetry: (reason) => {
          this.requests++;
          this.options.onRetry?.(reason);
        },
      });
      this.requests++;
      this.spansWritten += request.length;
    }
  }

  async flush(): Promise<{ outputBytes?: number }> {
    while (this.buffer.length > 0) await this.post(this.buffer.splice(0, this.batchSpans));
    return {};
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

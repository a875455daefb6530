/**
 * One OTLP/HTTP export request (POST, OTLP/JSON body), optionally gzip'd and SigV4-signed, with
 * retries: what the OTLP spec calls retryable — 429, 502, 503, 504 and network errors — and, for
 * X-Ray, every 5xx; Retry-After is honoured, attempts are bounded.
 * https://opentelemetry.io/docs/specs/otlp/#otlphttp-throttling
 *
 * A 403 is never retried as is: it is a bad signature, missing permissions, or X-Ray's endpoint
 * without CloudWatch Transaction Search enabled, and retrying would only repeat it. The one
 * exception is a 403 that says the security token expired: the credentials are fetched again and
 * the request signed anew (counted as a retry).
 *
 * Compression happens on libuv's thread pool (zlib's async API), never on the event loop.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { DEFAULT_RETRY, parseRetryAfter, withRetry, type RetryDecision, type RetryPolicy } from '../backfill/retry.js';
import type { SigV4Signer } from './sigv4-signer.js';

const gzip = promisify(gzipCallback);

export interface OtlpPostOptions {
  endpoint: string;
  headers?: Record<string, string>;
  /** Content-Encoding: gzip (X-Ray takes gzip or none). */
  gzip?: boolean;
  signer?: SigV4Signer;
  timeoutMs?: number;
  retry?: RetryPolicy;
  onRetry?: (reason: string) => void;
  /** Ends the request in flight and its retries. */
  signal?: AbortSignal;
}

/** An export that failed for good: the message names the endpoint (scheme, host, path only). */
export class OtlpExportError extends Error {
  override name = 'OtlpExportError';
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
    readonly expiredToken: boolean,
    body: string,
  ) {
    super(`HTTP ${status}${body ? `: ${body.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`);
  }
}

/** The credentials chain itself failed (none configured, a profile that does not parse). */
class CredentialsError extends Error {}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/**
 * AWS says an expired token with 403 (sometimes 400) and the error type ExpiredTokenException, in
 * the x-amzn-errortype header or the body.
 * https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
 */
function saysExpiredToken(status: number, errorType: string | null, body: string): boolean {
  if (status !== 403 && status !== 400) return false;
  return (
    /ExpiredToken/i.test(errorType ?? '') ||
    /ExpiredToken|security token included in the request is expired/i.test(body)
  );
}

function classify(signed: boolean) {
  return (err: unknown): RetryDecision => {
    if (err instanceof CredentialsError) return { retry: false };
    if (err instanceof HttpStatusError) {
      if (err.expiredToken) return { retry: true, afterMs: 0, reason: 'expired_credentials' };
      const retryable = RETRYABLE_STATUS.has(err.status) || (signed && err.status >= 500);
      if (!retryable) return { retry: false };
      const afterMs = parseRetryAfter(err.retryAfter);
      return afterMs === undefined
        ? { retry: true, reason: `http_${err.status}` }
        : { retry: true, afterMs, reason: `http_${err.status}` };
    }
    // fetch rejects with TypeError on connection refused/reset, and AbortError/TimeoutError on our timeout.
    return { retry: true, reason: 'network' };
  };
}

/** Scheme, host and path: never credentials or a query in a message. */
export function shownEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return endpoint.slice(0, 80);
  }
}

function failureMessage(endpoint: string, cause: unknown, signer: SigV4Signer | undefined): string {
  const where = shownEndpoint(endpoint);
  if (cause instanceof HttpStatusError && cause.status === 403 && signer) {
    return (
      `export to ${where} refused (HTTP 403): the SigV4 signature (service ${signer.target.service}, region ` +
      `${signer.target.region}) or its credentials were not accepted, or CloudWatch Transaction Search is not enabled ` +
      `for X-Ray in this account and region`
    );
  }
  if (cause instanceof CredentialsError)
    return `export to ${where}: no AWS credentials to sign with (${cause.message})`;
  const what = cause instanceof Error ? cause.message : String(cause);
  return `export to ${where} failed: ${what}`;
}

/** Sends one OTLP/JSON request body; resolves once the endpoint answered 2xx. */
export async function postOtlp(body: string, options: OtlpPostOptions): Promise<void> {
  const url = new URL(options.endpoint);
  const raw = Buffer.from(body);
  const payload = options.gzip ? await gzip(raw) : raw;
  const baseHeaders: Record<string, string> = {
    'content-type': 'application/json',
    ...options.headers,
    ...(options.gzip ? { 'content-encoding': 'gzip' } : {}),
  };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signer = options.signer;
  const stop = options.signal;
  const retryable = classify(signer !== undefined);
  try {
    await withRetry(
      async () => {
        stop?.throwIfAborted();
        let headers = baseHeaders;
        if (signer) {
          try {
            headers = await signer.sign(url, baseHeaders, payload);
          } catch (err) {
            throw new CredentialsError(String((err as Error)?.message ?? err).split('\n')[0]);
          }
        }
        const res = await fetch(url, {
          method: 'POST',
          headers,
          body: payload,
          signal: stop ? AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
        });
        const text = await res.text().catch(() => '');
        if (res.ok) return;
        const expired = saysExpiredToken(res.status, res.headers.get('x-amzn-errortype'), text);
        // The next attempt signs with credentials fetched anew.
        if (expired) signer?.refreshCredentials();
        throw new HttpStatusError(res.status, res.headers.get('retry-after'), expired && signer !== undefined, text);
      },
      (err) => (stop?.aborted ? { retry: false } : retryable(err)),
      options.retry ?? DEFAULT_RETRY,
      options.onRetry,
    );
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause ?? err;
    const suffix = err !== cause ? ` (${(err as Error).message})` : '';
    throw new OtlpExportError(failureMessage(options.endpoint, cause, signer) + suffix);
  }
}

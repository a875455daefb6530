/**
 * The backfill's sinks as destinations of the streaming converter (`live`, the Lambda handler, and
 * `follow` later).
 * Each `send` is delivered as a whole or fails as a whole, so the converter's per-destination
 * counts are exact:
 * - the OTLP/HTTP sink gets batches of at most its own batch size, so one send is one request
 *   (a buffered span can never ride along with, or be lost by, a later send);
 * - the file sink writes one OTLP/JSON line per summary line, as before, and makes each send
 *   durable before it counts.
 */
import { OtlpFileSink } from './otlp-file-sink.js';
import { OtlpHttpSink, type OtlpHttpSinkOptions } from './otlp-http-sink.js';
import { XrayFilterSink } from './xray-filter-sink.js';
import type { SpanDestination } from '../../sdk/converter/span-converter.js';

export const HTTP_BATCH_SPANS = 256;

export function httpDestination(
  options: Omit<OtlpHttpSinkOptions, 'batchSpans' | 'signal'>,
  /** With `xray`: where the spans X-Ray would refuse are counted by reason (they are not sent). */
  xrayNotSent: Record<string, number> = Object.create(null) as Record<string, number>,
): SpanDestination {
  // Closing aborts a request still in flight (the converter's shutdown bound has passed and counted
  // it as not sent), so it cannot be delivered after that count, nor keep the process alive.
  const stop = new AbortController();
  const http = new OtlpHttpSink({ ...options, batchSpans: HTTP_BATCH_SPANS, signal: stop.signal });
  // X-Ray refuses a whole request over its limits: spans it would refuse are left out of the request.
  // The converter counts them among this destination's exports (its send succeeded); the caller
  // reports them from `xrayNotSent`.
  const sink = options.xray ? new XrayFilterSink(http, xrayNotSent) : http;
  return {
    name: options.endpoint,
    batchSpans: HTTP_BATCH_SPANS,
    async send(batch) {
      await sink.write(batch.flat());
      await sink.flush();
    },
    close: () => stop.abort(),
  };
}

/** A new file; with `resume`, the file kept up to `resume.bytes` and written on from there (follow appends). */
export async function fileDestination(
  path: string,
  resume?: { bytes: number; spans: number },
): Promise<SpanDestination> {
  const sink = await OtlpFileSink.open(path, resume);
  return {
    name: path,
    async send(batch) {
      for (const spans of batch) await sink.write([...spans]);
      await sink.flush();
    },
    close: () => sink.close(),
  };
}

/**
 * The SDK's exporter for X-Ray's OTLP endpoint (or any endpoint signing is forced for, ALAKAI_SIGV4):
 * OTLP/JSON over HTTP like the default exporter, but every request is SigV4-signed
 * (otlp-transport/sigv4-signer.ts), gzip'd, and cut to X-Ray's request limits; spans X-Ray would
 * refuse are left out and said once per reason (otlp-transport/xray-limits.ts), since one of them
 * would get its whole batch refused.
 *
 * Never throws into the batch processor and never blocks the event loop: encoding is per batch,
 * compression runs on the thread pool, and a failed export is reported through the callback (the
 * processor counts it). Requests are bounded by `timeoutMs` (capped at the shutdown bound, as the
 * default exporter's are) and retried briefly: a retry that outlived the process would keep it alive.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { encodeOtlpJsonLine } from '../contract/otlp-json.js';
import { postOtlp, shownEndpoint } from '../otlp-transport/otlp-post.js';
import { SigV4Signer, type CredentialSource } from '../otlp-transport/sigv4-signer.js';
import type { SigV4Target } from '../otlp-transport/sigv4-target.js';
import { cutForXray, filterForXray } from '../otlp-transport/xray-limits.js';
import { noticeOnce } from './notice.js';
import { toSpanRecord } from './readable-span.js';

export interface SigV4OtlpExporterOptions {
  endpoint: string;
  target: SigV4Target;
  timeoutMs: number;
  /** Default: the AWS default credential chain. */
  credentials?: CredentialSource;
}

const SDK_RETRY = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 1000 };

export class SigV4OtlpExporter implements SpanExporter {
  private readonly signer: SigV4Signer;
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: SigV4OtlpExporterOptions) {
    this.signer = new SigV4Signer(options.target, options.credentials);
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.stopped) {
      done({ code: ExportResultCode.FAILED, error: new Error('SigV4OtlpExporter is shut down') });
      return;
    }
    const sending = this.send(spans).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: unknown) =>
        done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
    );
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }

  private async send(spans: ReadableSpan[]): Promise<void> {
    const notSent: Record<string, number> = {};
    const kept = filterForXray(spans.map(toSpanRecord), Date.now(), notSent);
    for (const [reason, n] of Object.entries(notSent)) {
      noticeOnce(
        `sigv4-export:${reason}`,
        `${n} span(s) not sent to ${shownEndpoint(this.options.endpoint)}: X-Ray refuses them (${reason}); said once, counted as not exported`,
      );
    }
    for (const request of cutForXray(kept)) {
      await postOtlp(encodeOtlpJsonLine(request), {
        endpoint: this.options.endpoint,
        gzip: true,
        signer: this.signer,
        timeoutMs: this.options.timeoutMs,
        retry: SDK_RETRY,
      });
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
  }
}

/**
 * One fixture factory for the SDK tests: a real pino logger writing into an in-memory sink (the
 * lines are parsed back, as pino's own tests do), a collecting exporter, and an AlakaiTracing with
 * signal handling off (the child-process tests cover signals).
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { pino, type Logger } from 'pino';
import { Writable } from 'node:stream';
import { setupAlakaiTracing, type AlakaiTracing, type AlakaiTracingOptions } from '../../../src/sdk/setup.js';

/** Keeps every exported span, also after shutdown (InMemorySpanExporter clears on shutdown). */
export class CollectingExporter implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.spans.push(...spans);
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

export interface LineSink {
  logger: Logger;
  /** Raw text chunks in write order (pino writes one line per chunk). */
  raw: string[];
  lines(): Record<string, unknown>[];
  summaryLines(): Record<string, unknown>[];
}

export function lineSink(bindings: Record<string, unknown> = { service: 'alakai-core', component: 'core' }): LineSink {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      raw.push(String(chunk));
      callback();
    },
  });
  const logger = pino({ base: bindings, timestamp: pino.stdTimeFunctions.isoTime }, stream);
  const lines = (): Record<string, unknown>[] =>
    raw
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    logger,
    raw,
    lines,
    summaryLines: () => lines().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('[event] ')),
  };
}

export interface SdkFixture extends LineSink {
  tracing: AlakaiTracing;
  exporter: CollectingExporter;
  /** Flushes the export queue, then returns what was exported. */
  exported(): Promise<ReadableSpan[]>;
}

export function sdkFixture(overrides: Partial<AlakaiTracingOptions> = {}, component = 'core'): SdkFixture {
  const sink = lineSink({ service: `alakai-${component}`, component });
  const exporter = new CollectingExporter();
  const tracing = setupAlakaiTracing({
    service: `alakai-${component}`,
    component,
    logger: sink.logger,
    exporter,
    handleSignals: false,
    ...overrides,
  });
  return {
    ...sink,
    tracing,
    exporter,
    async exported() {
      await tracing.forceFlush();
      return exporter.spans;
    },
  };
}

/** A GitHub token shape the sanitizer must redact (fake: 36 characters after the prefix). */
export const FAKE_GITHUB_TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';

export const DELIVERY_ID = '3f2a9c10-7d4e-4b8a-9c1d-2e5f6a7b8c9d';

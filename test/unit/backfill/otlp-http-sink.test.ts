/**
 * OTLP/HTTP sink: batches, retries on 429/503 honouring Retry-After, gives up on a 400, and a run
 * whose endpoint fails mid-way resumes from its checkpoint and delivers every span.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runBackfill } from '../../../src/backfill/run-backfill.js';
import { OtlpHttpSink, defaultOtlpEndpoint } from '../../../src/backfill/sinks/otlp-http-sink.js';
import { OtlpExportError } from '../../../src/otlp-transport/otlp-post.js';
import { fileSources } from '../../../src/backfill/sources/open-sources.js';
import {
  backfillFiles,
  tempDir,
  writtenFixture,
  type BackfillResult,
  type WrittenFixture,
} from './backfill-fixture.js';
import { startOtlpReceiver, type OtlpAnswer, type OtlpReceiver } from '../../support/fake-otlp-receiver.js';

let fx: WrittenFixture;
let reference: BackfillResult;
const servers: OtlpReceiver[] = [];
const noWait = { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5, sleep: async () => {} };

beforeAll(async () => {
  fx = await writtenFixture({ seed: 5, executions: 40 });
  reference = await backfillFiles(fx.ndjson);
});
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

async function otlp(answer?: (index: number) => OtlpAnswer): Promise<OtlpReceiver> {
  const s = await startOtlpReceiver('ok', answer ? { answer } : {});
  servers.push(s);
  return s;
}

function ids(spans: { spanId: string }[]): string[] {
  return spans.map((s) => s.spanId).sort();
}

describe('OTLP/HTTP sink', () => {
  it('sends every span in batches of at most batchSpans', async () => {
    const server = await otlp();
    const sink = new OtlpHttpSink({ endpoint: server.url, batchSpans: 16, retry: noWait });
    for (const trace of reference.traces) await sink.write(trace);
    await sink.flush();
    expect(ids(server.acceptedSpans())).toEqual(ids(reference.spans));
    expect(server.requests()).toBe(Math.ceil(reference.spans.length / 16));
    expect(sink.spansWritten).toBe(reference.spans.length);
  });

  it('retries 429 and 503 (with Retry-After) and loses nothing', async () => {
    const retried: string[] = [];
    const waits: number[] = [];
    const server = await otlp((i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '2' } } : i === 1 ? { status: 503 } : { status: 200 },
    );
    const sink = new OtlpHttpSink({
      endpoint: server.url,
      retry: { ...noWait, maxDelayMs: 10_000, sleep: async (ms) => void waits.push(ms) },
      onRetry: (r) => retried.push(r),
    });
    await sink.write(reference.spans);
    await sink.flush();
    expect(retried).toEqual(['http_429', 'http_503']);
    expect(waits[0]).toBe(2000);
    expect(ids(server.acceptedSpans())).toEqual(ids(reference.spans));
  });

  it('stops on a 400 with the status in the error', async () => {
    const server = await otlp(() => ({ status: 400 }));
    const sink = new OtlpHttpSink({ endpoint: server.url, retry: noWait });
    await sink.write(reference.spans.slice(0, 3));
    await expect(sink.flush()).rejects.toThrow(OtlpExportError);
    expect(server.requests()).toBe(1);
  });

  it('reads the endpoint from the OTel environment', () => {
    expect(defaultOtlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      defaultOtlpEndpoint({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x/traces',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://y',
      }),
    ).toBe('http://x/traces');
    expect(defaultOtlpEndpoint({})).toBeUndefined();
  });

  it('an endpoint that fails mid-run: the run stops, and resuming from the checkpoint delivers every span', async () => {
    let healthy = false;
    const server = await otlp((i) => (healthy || i < 3 ? { status: 200 } : { status: 400 }));
    const checkpointPath = join(await tempDir(), 'otlp.checkpoint');
    const run = () =>
      runBackfill({
        sources: fileSources(fx.ndjson),
        openSink: async (resume) => {
          const sink = new OtlpHttpSink({ endpoint: server.url, batchSpans: 8, retry: noWait });
          if (resume) sink.spansWritten = resume.spans;
          return sink;
        },
        outputName: server.url,
        fingerprint: 'otlp-resume',
        checkpointPath,
        checkpointEveryTraces: 2,
      });
    await expect(run()).rejects.toThrow(OtlpExportError);
    const before = server.acceptedSpans().length;
    expect(before).toBeGreaterThan(0);
    healthy = true;
    const report = await run();
    expect(report.resumed).toBe(true);
    expect(report.spansWritten).toBe(reference.spans.length);
    // At least once: every span arrived; a re-sent span is identical (Jaeger keeps one copy).
    expect([...new Set(ids(server.acceptedSpans()))]).toEqual(ids(reference.spans));
    expect(report.linesRead).toBe(fx.set.lines.length);
  });
});

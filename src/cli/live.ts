/**
 * `node app.js | alakai-otel live`: the zero-code mode from outside the process. Every byte of
 * stdin goes to stdout unchanged and at once (the service's logs keep flowing to CloudWatch as
 * before); summary events among the lines are turned into their spans (per event, no cross-service
 * linking) and exported in the background. Export trouble never holds the pipe: spans queue up to
 * a bound and are dropped (and counted) beyond it.
 */
import { once } from 'node:events';
import { DEFAULT_MAX_LINE_BYTES } from '../contract/limits.js';
import { parseLogLine } from '../contract/parse.js';
import { summaryLineToSpans } from '../contract/event-to-spans.js';
import type { SpanRecord } from '../contract/span-record.js';
import { LineSplitter, type SplitLine } from '../backfill/sources/line-splitter.js';
import { OtlpFileSink } from '../backfill/sinks/otlp-file-sink.js';
import { OtlpHttpSink, defaultOtlpEndpoint } from '../backfill/sinks/otlp-http-sink.js';
import type { SpanSink } from '../backfill/sinks/span-sink.js';
import { XrayFilterSink } from '../backfill/sinks/xray-filter-sink.js';
import { SigV4ConfigError, sigv4TargetFor } from '../otlp-transport/sigv4-target.js';
import { flag, hasFlag, intFlag, parseArgs, UsageError, type FlagSpec } from './args.js';
import { checkOutputPaths } from './output-paths.js';
import { reportFailure } from './report-failure.js';

const FLAGS: Record<string, FlagSpec> = {
  'otlp-endpoint': { value: true },
  output: { value: true },
  sigv4: { value: true },
  'max-queue': { value: true },
  help: {},
};

export const LIVE_HELP = `usage: node app.js | alakai-otel live [--otlp-endpoint URL] [--output FILE]

Passes a service's log lines from stdin to stdout unchanged and exports the spans of its summary
events (one slice each; no linking across services — run \`backfill\` for that).

  --otlp-endpoint URL   OTLP/HTTP traces endpoint (default: OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces)
  --output FILE         also/instead write OTLP/JSON lines to FILE
  --sigv4 xray          sign for X-Ray an endpoint with another host (automatic for xray.REGION.amazonaws.com)
  --max-queue N         spans held while the endpoint is slow or down; beyond, spans are dropped and counted (default 10000)
On trouble, stderr gets one line per destination (spans exported, failed) and the dropped count.
Exit: 0 (lines passed through; each destination that worked got its spans), 1 every export failed, 2 usage error.`;

const FLUSH_EVERY_MS = 1000;
const BATCH_SPANS = 256;
const SHUTDOWN_FLUSH_MS = 5000;

export async function liveCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (hasFlag(args, 'help')) {
    process.stdout.write(LIVE_HELP + '\n');
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]!.slice(0, 40)}"`);
  const endpoint = flag(args, 'otlp-endpoint') ?? (flag(args, 'output') ? undefined : defaultOtlpEndpoint());
  const output = flag(args, 'output');
  if (!endpoint && !output)
    throw new UsageError('needs --otlp-endpoint URL, --output FILE or OTEL_EXPORTER_OTLP_ENDPOINT');
  if (endpoint) {
    try {
      new URL(endpoint);
    } catch {
      throw new UsageError(`--otlp-endpoint is not a URL: "${endpoint.slice(0, 80)}"`);
    }
  }
  let sigv4;
  try {
    sigv4 = endpoint ? sigv4TargetFor(endpoint, flag(args, 'sigv4')) : undefined;
  } catch (err) {
    if (err instanceof SigV4ConfigError) throw new UsageError(`--sigv4: ${err.message}`);
    throw err;
  }
  if (flag(args, 'sigv4') && !endpoint) throw new UsageError('--sigv4 goes with --otlp-endpoint');
  const maxQueue = intFlag(args, 'max-queue', 10_000, 1, 10_000_000);
  // stdin is the service's log and stdout its passthrough: --output must be neither.
  if (output) await checkOutputPaths([], [{ flag: '--output', path: output }], { stdin: true, stdout: true });
  /** Each destination counts its own exports: one that works does not hide one that does not. */
  const destinations: { name: string; sink: SpanSink; exported: number; failed: number }[] = [];
  try {
    if (output) destinations.push({ name: output, sink: await OtlpFileSink.open(output), exported: 0, failed: 0 });
  } catch (err) {
    return reportFailure('live', err);
  }
  // Short retries: a live pipe should drop and count, not stall behind a dead collector.
  if (endpoint) {
    const http = new OtlpHttpSink({
      endpoint,
      batchSpans: BATCH_SPANS,
      timeoutMs: 5000,
      retry: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 2000 },
      ...(sigv4 ? { sigv4, xray: true } : {}),
    });
    // X-Ray refuses whole requests over its limits: such spans are left out (and not counted as exported).
    const sink = sigv4 ? new XrayFilterSink(http, Object.create(null) as Record<string, number>) : http;
    destinations.push({ name: endpoint, sink, exported: 0, failed: 0 });
  }

  let queue: SpanRecord[][] = [];
  let queued = 0;
  let dropped = 0;
  let exporting: Promise<void> | undefined;

  const exportQueued = (): Promise<void> => {
    if (exporting || queue.length === 0) return exporting ?? Promise.resolve();
    const batch = queue;
    const count = queued;
    queue = [];
    queued = 0;
    exporting = (async () => {
      for (const d of destinations) {
        try {
          for (const spans of batch) await d.sink.write(spans);
          await d.sink.flush();
          d.exported += count;
        } catch {
          d.failed += count;
        }
      }
    })().finally(() => {
      exporting = undefined;
    });
    return exporting;
  };
  const timer = setInterval(() => void exportQueued(), FLUSH_EVERY_MS);
  timer.unref();

  const splitter = new LineSplitter(DEFAULT_MAX_LINE_BYTES);
  const lines: SplitLine[] = [];
  const handleLines = (): void => {
    for (const line of lines) {
      if (line.text === undefined) continue;
      const parsed = parseLogLine(line.text);
      if (parsed.kind !== 'summary') continue;
      const spans = summaryLineToSpans(parsed);
      if (spans.length === 0) continue;
      if (queued + spans.length > maxQueue) {
        dropped += spans.length;
        continue;
      }
      queue.push(spans);
      queued += spans.length;
      if (queued >= BATCH_SPANS) void exportQueued();
    }
    lines.length = 0;
  };

  let stopping = false;
  const stop = (): void => {
    stopping = true;
    process.stdin.destroy();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      // Pass through first: the service's logs must not wait for parsing or exporting.
      if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
      splitter.push(chunk, lines);
      handleLines();
      if (stopping) break;
    }
  } catch {
    // stdin destroyed by a signal: fall through to the final flush.
  }
  splitter.end(lines);
  handleLines();
  clearInterval(timer);
  const flushAll = (async () => {
    while (exporting || queue.length > 0) await exportQueued();
    for (const d of destinations) await d.sink.close().catch(() => undefined);
  })();
  let timedOut = false;
  await Promise.race([
    flushAll,
    new Promise<void>((r) => setTimeout(() => ((timedOut = true), r()), SHUTDOWN_FLUSH_MS).unref()),
  ]);
  if (timedOut) dropped += queued;
  const failed = destinations.some((d) => d.failed > 0);
  if (dropped > 0 || failed || timedOut) {
    for (const d of destinations) {
      process.stderr.write(
        `alakai-otel live: ${d.name.slice(0, 200)}: ${d.exported} spans exported, ${d.failed} failed to export\n`,
      );
    }
    if (dropped > 0 || timedOut)
      process.stderr.write(`alakai-otel live: ${dropped} spans dropped (queue full or shutdown timeout)\n`);
  }
  // The service's lines always passed through; but when no span reached any destination, the
  // export itself failed, and a script must be able to tell.
  const everyExportFailed = failed && destinations.every((d) => d.exported === 0);
  return everyExportFailed ? 1 : 0;
}

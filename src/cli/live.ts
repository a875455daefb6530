/**
 * `node app.js | alakai-otel live`: the zero-code mode from outside the process. Every byte of
 * stdin goes to stdout unchanged and at once (the service's logs keep flowing to CloudWatch as
 * before); every line goes to the streaming converter (sdk/converter/span-converter.ts, the same
 * one zero-code mode uses), which turns summary events into their spans (per event, no
 * cross-service linking) and exports them in the background, to each destination at its own pace.
 * Export trouble never holds the pipe: spans queue up to one bound and are dropped (and counted)
 * beyond it; each destination counts what it exported, failed, or never got to send.
 */
import { once } from 'node:events';
import { DEFAULT_MAX_LINE_BYTES } from '../contract/limits.js';
import { LineSplitter, type SplitLine } from '../backfill/sources/line-splitter.js';
import { defaultOtlpEndpoint } from '../backfill/sinks/otlp-http-sink.js';
import type { ConverterStats } from '../sdk/converter/converter-stats.js';
import { SpanConverter, type SpanDestination } from '../sdk/converter/span-converter.js';
import { flag, hasFlag, intFlag, parseArgs, UsageError, type FlagSpec } from './args.js';
import { SigV4ConfigError, sigv4TargetFor } from '../otlp-transport/sigv4-target.js';
import { fileDestination, httpDestination } from '../backfill/sinks/converter-destinations.js';
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
  --max-queue N         spans held for the destinations while one is slow or down (one queue for all);
                        beyond, spans are dropped and counted (default 10000)
On trouble, stderr gets one line per destination (spans exported, failed, not sent before the
shutdown bound) and the dropped count.
Exit: 0 (lines passed through; each destination that worked got its spans), 1 every export failed, 2 usage error.`;

/** How long a destination waits for a fuller batch before it sends what there is. */
const LINGER_MS = 1000;
const SHUTDOWN_FLUSH_MS = 5000;

/** One line per destination and one for drops: said only when something was not exported. */
function troubleReport(stats: ConverterStats): string {
  const lines = stats.destinations.map(
    (d) =>
      `alakai-otel live: ${d.name.slice(0, 200)}: ${d.exported} spans exported, ${d.failed} failed to export` +
      (d.notSent > 0 ? `, ${d.notSent} not sent before the ${SHUTDOWN_FLUSH_MS} ms shutdown bound` : '') +
      '\n',
  );
  const dropped = stats.droppedSpans.queueFull;
  if (dropped > 0) lines.push(`alakai-otel live: ${dropped} spans dropped (queue full)\n`);
  return lines.join('');
}

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
  const destinations: SpanDestination[] = [];
  try {
    if (output) destinations.push(await fileDestination(output));
  } catch (err) {
    return reportFailure('live', err);
  }
  // Short retries: a live pipe should drop and count, not stall behind a dead collector.
  const xrayNotSent = Object.create(null) as Record<string, number>;
  if (endpoint)
    destinations.push(
      httpDestination(
        {
          endpoint,
          timeoutMs: 5000,
          retry: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 2000 },
          ...(sigv4 ? { sigv4, xray: true } : {}),
        },
        xrayNotSent,
      ),
    );
  // One queue for every destination, bounded by --max-queue; each destination counts its own exports.
  const converter = new SpanConverter(destinations, {
    maxQueuedSpans: maxQueue,
    maxLineBytes: DEFAULT_MAX_LINE_BYTES,
    lingerMs: LINGER_MS,
  });

  const splitter = new LineSplitter(DEFAULT_MAX_LINE_BYTES);
  const lines: SplitLine[] = [];
  const handleLines = (): void => {
    for (const line of lines) {
      if (line.text === undefined) converter.feedRefused(line.readError ?? 'too_large');
      else converter.feed(line.text);
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
  const stats = await converter.shutdown(SHUTDOWN_FLUSH_MS);
  const unexported = stats.droppedSpans.queueFull > 0 || stats.destinations.some((d) => d.failed + d.notSent > 0);
  if (unexported) process.stderr.write(troubleReport(stats));
  // Spans deliberately left out of X-Ray's requests (its limits) are a loss the user must hear of.
  const refused = Object.entries(xrayNotSent);
  if (refused.length > 0)
    process.stderr.write(
      `alakai-otel live: spans not sent to X-Ray (its limits): ${refused.map(([reason, n]) => `${reason} ${n}`).join(', ')}\n`,
    );
  // The service's lines always passed through; but when no span reached any destination, the
  // export itself failed, and a script must be able to tell.
  const everyExportFailed =
    stats.destinations.some((d) => d.failed + d.notSent > 0) && stats.destinations.every((d) => d.exported === 0);
  return everyExportFailed ? 1 : 0;
}

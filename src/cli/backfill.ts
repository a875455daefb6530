/**
 * `alakai-otel backfill`: summary events from files/stdin or CloudWatch Logs → spans → an OTLP/JSON
 * lines file or an OTLP/HTTP endpoint. See docs/backfill.md.
 */
import v8 from 'node:v8';
import { resolve } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { peekCheckpointMeta, runFingerprint } from '../backfill/checkpoint.js';
import { formatReport, newCounters, type BackfillReport } from '../backfill/report.js';
import { DEFAULT_MAX_LINES_PER_TRACE, DEFAULT_TRACE_WINDOW_MS, runBackfill } from '../backfill/run-backfill.js';
import {
  DEFAULT_LOG_GROUPS,
  chooseReader,
  cloudWatchSource,
  inputSources,
  insightsRangeSource,
  type CloudWatchReader,
  type NamedSource,
} from '../backfill/sources/open-sources.js';
import {
  DEFAULT_MAX_CONCURRENT_QUERIES,
  MAX_CONCURRENT_QUERIES_QUOTA,
  type InsightsProgress,
} from '../backfill/sources/cloudwatch-insights-range-source.js';
import { flag, flagAll, hasFlag, intFlag, parseArgs, parseDuration, UsageError, type FlagSpec } from './args.js';
import { chooseDestinations, DESTINATION_FLAGS, destinationNames, destinationsOpener } from './destinations.js';
import { cloudWatchChoice, INPUT_FLAGS, partialInputNotice, timeRange } from './inputs.js';
import { checkOutputPaths, type OutputPath } from './output-paths.js';
import { Progress } from './progress.js';
import { reportFailure } from './report-failure.js';

const FLAGS: Record<string, FlagSpec> = {
  ...INPUT_FLAGS,
  ...DESTINATION_FLAGS,
  report: { value: true },
  checkpoint: { value: true },
  'checkpoint-every': { value: true },
  'dry-run': {},
  'trace-window': { value: true },
  'max-lines-per-trace': { value: true },
  source: { value: true },
  'max-concurrent-queries': { value: true },
  quiet: {},
  help: {},
};

export const BACKFILL_HELP = `usage:
  alakai-otel backfill --input FILE… [--output FILE] [--otlp-endpoint URL…] [--report FILE]
  alakai-otel backfill (--since 6h | --start T --end T) [--log-group NAME…] [--otlp-endpoint URL…] [--output FILE]

Turns summary events into spans: exact spans for bridged events, one span per legacy event linked
core → orchestrator → worker. Step-level lines become span events on legacy slices only (bridged
slices stay exactly as exported live): in an all-bridged trace they are counted as
unattachedStepLogs, in a mixed one they go to the nearest legacy slice, of their component if any.

input
  --input FILE|s3://BUCKET/PREFIX…
                         NDJSON log lines, CreateExportTask objects (\`<timestamp> <message>\`),
                         Firehose deliveries of subscription filters (envelopes or one message a
                         line), or the JSON of \`aws logs filter-log-events\` (also with
                         --query 'events[].message') or \`get-query-results\` (with @message in its
                         fields); auto-detected and streamed, gzip ok; - = stdin. Output with a
                         NextToken or a query not Complete is read and reported as partial.
                         With --log-group, lines whose format names their group (envelopes, @log)
                         are read only from those groups
  --since DURATION       CloudWatch Logs, from DURATION ago until now (30m, 6h, 2d)
  --start T --end T      CloudWatch Logs time range (ISO 8601 or epoch ms)
  --log-group NAME…      log groups (default: ${DEFAULT_LOG_GROUPS.join(' ')})
  --region R --profile P --endpoint URL   AWS settings (default: the standard AWS configuration;
                         for s3:// inputs --region/--profile, and AWS_ENDPOINT_URL_S3)
  --source insights|filter  how a CloudWatch range is read: Logs Insights queries over time windows,
                         all log groups at once (default for ranges over 1h), or FilterLogEvents
  --max-concurrent-queries N  Logs Insights queries at once (default ${DEFAULT_MAX_CONCURRENT_QUERIES}, at most ${MAX_CONCURRENT_QUERIES_QUOTA}; the
                         account's quota is shared with dashboards and other users)
output (one or several; the report counts per destination)
  --output FILE          OTLP/JSON lines (Collector file-exporter format)
  --otlp-endpoint URL…   OTLP/HTTP traces endpoint(s), repeatable (default: OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces).
                         X-Ray's (https://xray.REGION.amazonaws.com/v1/traces) gets SigV4-signed, gzip'd
                         requests within its limits; spans it would refuse are counted, not sent
  --sigv4 xray           sign for X-Ray an endpoint with another host (VPC endpoint, proxy); region from
                         the host or AWS_REGION; credentials from the AWS default chain
  --xray                 keep to X-Ray's limits without signing (a Collector in front of X-Ray)
  --dry-run              read and assemble, write nothing
run
  --checkpoint FILE      resume from / save progress to FILE (a killed run, started again, writes each span once)
  --report FILE          closing report as JSON
  --trace-window D       a trace is complete once the input is D past its last line (default 30m)
  --max-lines-per-trace N  lines kept per trace (default ${DEFAULT_MAX_LINES_PER_TRACE}); more are rejected by reason
  --quiet                no report on stderr
Exit: 0 done (even with rejected lines), 1 failed (resumable with --checkpoint), 2 usage error.`;

/**
 * A long backfill's live heap is flat (the trace window), but V8's default lets the old generation
 * grow far past it between full collections: 264 MB peak RSS at 100k events. Growing the heap by at
 * most 100 % per collection keeps it under 200 MB at 5M events (196 MB) for about 10 % more CPU than
 * the default; 50 % saved another 25 MB for 8 % more CPU again (docs/benchmarks.md). Only the CLI
 * sets it, for its own process, and a user's own setting wins.
 */
function boundHeapGrowth(): void {
  const own = `${process.env['NODE_OPTIONS'] ?? ''} ${process.execArgv.join(' ')}`;
  if (!own.includes('heap-growing-percent')) v8.setFlagsFromString('--heap-growing-percent=100');
}

export async function backfillCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (hasFlag(args, 'help')) {
    process.stdout.write(BACKFILL_HELP + '\n');
    return 0;
  }
  if (args.positionals.length > 0)
    throw new UsageError(`unexpected argument "${args.positionals[0]!.slice(0, 40)}" (files go after --input)`);
  boundHeapGrowth();
  const inputs = flagAll(args, 'input');
  const checkpointPath = flag(args, 'checkpoint');
  const dryRun = hasFlag(args, 'dry-run');
  const meta = checkpointPath
    ? ((await peekCheckpointMeta(checkpointPath)) as { startMs?: unknown; endMs?: unknown } | undefined)
    : undefined;
  let range = timeRange(args, Date.now());
  // A resumed `--since` run keeps the range it started with (otherwise "now" would have moved).
  if (range && flag(args, 'since') && typeof meta?.startMs === 'number' && typeof meta.endMs === 'number')
    range = { startMs: meta.startMs, endMs: meta.endMs };
  if (inputs.length > 0 && range)
    throw new UsageError('give --input or a CloudWatch time range (--since/--start), not both');
  if (inputs.length === 0 && !range) throw new UsageError('needs --input FILE… or --since DURATION (see --help)');
  if (inputs.filter((i) => i === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const fromS3 = inputs.some((i) => i.startsWith('s3://'));
  if (inputs.length > 0 && flag(args, 'endpoint'))
    throw new UsageError('--endpoint applies to CloudWatch input; for s3:// inputs set AWS_ENDPOINT_URL_S3');
  if (inputs.length > 0 && !fromS3 && (flag(args, 'region') || flag(args, 'profile')))
    throw new UsageError('--region/--profile apply to CloudWatch and s3:// input, not to local files');
  const askedReader = flag(args, 'source');
  if (askedReader !== undefined && askedReader !== 'insights' && askedReader !== 'filter')
    throw new UsageError(`--source is insights or filter, not "${askedReader.slice(0, 40)}"`);
  if (inputs.length > 0 && (askedReader !== undefined || flag(args, 'max-concurrent-queries') !== undefined))
    throw new UsageError('--source/--max-concurrent-queries apply to CloudWatch input, not --input');
  const maxConcurrentQueries = intFlag(
    args,
    'max-concurrent-queries',
    DEFAULT_MAX_CONCURRENT_QUERIES,
    1,
    MAX_CONCURRENT_QUERIES_QUOTA,
  );
  const choice = chooseDestinations(args, !dryRun);
  const names = destinationNames(choice);
  const traceWindowMs = flag(args, 'trace-window')
    ? parseDuration(flag(args, 'trace-window')!, '--trace-window')
    : DEFAULT_TRACE_WINDOW_MS;
  const maxLinesPerTrace = intFlag(args, 'max-lines-per-trace', DEFAULT_MAX_LINES_PER_TRACE, 1, 10_000_000);
  const checkpointEveryTraces = intFlag(args, 'checkpoint-every', 5000, 1, 100_000_000);
  const reportPath = flag(args, 'report');
  // Before anything is opened for writing: an output that is an input would be truncated.
  const outputs: OutputPath[] = [];
  if (choice.output) outputs.push({ flag: '--output', path: choice.output });
  if (reportPath) outputs.push({ flag: '--report', path: reportPath });
  if (checkpointPath) outputs.push({ flag: '--checkpoint', path: checkpointPath, viaTempFile: true });
  await checkOutputPaths(inputs, outputs);
  const counters = newCounters();

  let sources: NamedSource[];
  let listing: string | undefined;
  // SIGTERM/SIGINT stop the Logs Insights queries still running (they would hold quota slots for
  // up to an hour); the run then ends as failed, resumable from its last finished window.
  const interrupt = new AbortController();
  let windows: InsightsProgress | undefined;
  const reader: CloudWatchReader | undefined = range ? chooseReader(range, askedReader) : undefined;
  if (range && reader === 'insights') {
    sources = [
      insightsRangeSource(
        {
          ...cloudWatchChoice(args, range),
          maxConcurrentQueries,
          signal: interrupt.signal,
          onProgress: (p) => (windows = p),
        },
        counters,
      ),
    ];
  } else if (range) {
    // Fetch windows no longer than the trace window, so traces close as windows pass.
    sources = [
      cloudWatchSource({ ...cloudWatchChoice(args, range), windowMs: Math.min(traceWindowMs, 10 * 60_000) }, counters),
    ];
  } else {
    const logGroups = flagAll(args, 'log-group');
    const region = flag(args, 'region');
    const profile = flag(args, 'profile');
    try {
      ({ sources, listing } = await inputSources(inputs, {
        onPartial: partialInputNotice('backfill', counters),
        ...(logGroups.length > 0 ? { logGroups: new Set(logGroups) } : {}),
        ...(region ? { region } : {}),
        ...(profile ? { profile } : {}),
      }));
    } catch (err) {
      return reportFailure('backfill', err);
    }
  }

  const fingerprint = runFingerprint({
    sources: sources.map((s) => s.id),
    // An S3 prefix whose objects changed since the checkpoint is another run (indexes would shift).
    ...(listing ? { s3Listing: listing } : {}),
    ...(flagAll(args, 'log-group').length > 0 && !range ? { inputLogGroups: flagAll(args, 'log-group') } : {}),
    range: range ?? null,
    // One destination keeps the fingerprint it always had, so its checkpoints stay resumable.
    output:
      names.length > 1
        ? [...(choice.output ? [resolve(choice.output)] : []), ...choice.endpoints.map((e) => e.endpoint)]
        : choice.output
          ? resolve(choice.output)
          : (choice.endpoints[0]?.endpoint ?? null),
    dryRun,
    traceWindowMs,
    maxLinesPerTrace,
    xray: choice.endpoints.some((e) => e.xray),
  });
  const progress = new Progress();
  const onSignal = (): void => interrupt.abort();
  if (reader === 'insights') {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  let report: BackfillReport;
  try {
    report = await runBackfill({
      sources,
      openSink: destinationsOpener(choice, {
        dryRun,
        counters,
        onRetry: (reason) => {
          counters.retries[`otlp_${reason}`] = (counters.retries[`otlp_${reason}`] ?? 0) + 1;
        },
      }),
      outputName: names.length > 0 ? names.join(', ') : null,
      fingerprint,
      counters,
      dryRun,
      traceWindowMs,
      maxLinesPerTrace,
      checkpointEveryTraces,
      ...(checkpointPath ? { checkpointPath, checkpointMeta: range ?? null } : {}),
      onProgress: (c, spansWritten) =>
        progress.update(
          {
            linesRead: c.linesRead,
            summaryEvents: c.summaryEvents,
            traces: c.traces,
            spansWritten,
            ...(windows ? { windows: { done: windows.windowsDone, total: windows.windowsTotal } } : {}),
          },
          windows ? windows.windowsDone / Math.max(1, windows.windowsTotal) : undefined,
        ),
    });
  } catch (err) {
    progress.done();
    return reportFailure('backfill', err);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  progress.done();
  if (reportPath) {
    try {
      await writeFile(reportPath, JSON.stringify(report, null, 2) + '\n');
    } catch (err) {
      process.stderr.write(
        `alakai-otel backfill: cannot write report ${reportPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`,
      );
      return 2;
    }
  }
  // Scripts that ask for --report get a quiet stderr; people at a terminal always see the summary.
  const summaryShown = !hasFlag(args, 'quiet') && (!reportPath || process.stderr.isTTY);
  if (summaryShown) process.stderr.write(formatReport(report) + '\n');
  // Spans deliberately not sent (X-Ray's limits) are a loss the user must hear of, report file or not.
  const notSent = Object.entries(report.notSent);
  if (!summaryShown && !hasFlag(args, 'quiet') && notSent.length > 0) {
    const reasons = notSent.map(([reason, n]) => `${reason} ${n}`).join(', ');
    process.stderr.write(`alakai-otel backfill: spans not sent to X-Ray (its limits): ${reasons}\n`);
  }
  return 0;
}

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
  cloudWatchSource,
  fileSources,
  type NamedSource,
} from '../backfill/sources/open-sources.js';
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
  --input FILE…          NDJSON log lines, or the JSON of \`aws logs filter-log-events\` (also with
                         --query 'events[].message') or \`get-query-results\` (with @message in its
                         fields); auto-detected and streamed, .gz ok; - = stdin. Output with a
                         NextToken or a query not Complete is read and reported as partial
  --since DURATION       CloudWatch Logs, from DURATION ago until now (30m, 6h, 2d)
  --start T --end T      CloudWatch Logs time range (ISO 8601 or epoch ms)
  --log-group NAME…      log groups (default: ${DEFAULT_LOG_GROUPS.join(' ')})
  --region R --profile P --endpoint URL   AWS settings (default: the standard AWS configuration)
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
  if (
    inputs.length > 0 &&
    (flagAll(args, 'log-group').length > 0 || flag(args, 'region') || flag(args, 'profile') || flag(args, 'endpoint'))
  ) {
    throw new UsageError('--log-group/--region/--profile/--endpoint apply to CloudWatch input, not --input');
  }
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
  if (range) {
    // Fetch windows no longer than the trace window, so traces close as windows pass.
    sources = [
      cloudWatchSource({ ...cloudWatchChoice(args, range), windowMs: Math.min(traceWindowMs, 10 * 60_000) }, counters),
    ];
  } else {
    sources = fileSources(inputs, { onPartial: partialInputNotice('backfill', counters) });
  }

  const fingerprint = runFingerprint({
    sources: sources.map((s) => s.id),
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
        progress.update({ linesRead: c.linesRead, summaryEvents: c.summaryEvents, traces: c.traces, spansWritten }),
    });
  } catch (err) {
    progress.done();
    return reportFailure('backfill', err);
  }
  progress.done();
  if (reportPath) {
    try {
      await writeFile(reportPath, JSON.stringify(report, null, 2) + '\n');
    } catch (err) {
      process.stderr.write(
        `alakai-otel backfill: cannot write report ${reportPath}: ${(err as NodeJS.ErrnoException).code ?? err}\n`,
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

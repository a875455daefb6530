/**
 * `alakai-otel follow`: the long-running converter of issue 14. It reads lines as they are written
 * (files tailed, stdin, CloudWatch log groups), assembles executions across the three services as
 * their lines arrive (follow/follow-assembler.ts: the backfill's own rules, so a later backfill of
 * the same period adds nothing) and exports each slice once, with its final parent. The loop,
 * checkpoint, status line and signals are follow/run-follow.ts; this module reads the flags,
 * checks them (user mistakes are one line, exit 2) and wires the parts.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  DEFAULT_MAX_LINES_PER_TRACE,
  DEFAULT_MAX_OPEN_TRACES,
  DEFAULT_TRACE_WINDOW_MS,
} from '../backfill/run-backfill.js';
import { SourceUserError } from '../backfill/source-types.js';
import { defaultOtlpEndpoint } from '../backfill/sinks/otlp-http-sink.js';
import { fileDestination, httpDestination } from '../backfill/sinks/converter-destinations.js';
import { DEFAULT_MAX_LINE_BYTES } from '../contract/limits.js';
import { appendStart } from '../follow/append-output.js';
import { DEFAULT_FOLLOW_HOLD_MS, FollowAssembler, FollowSnapshotError } from '../follow/follow-assembler.js';
import { loadFollowCheckpoint, type FollowCheckpoint } from '../follow/follow-checkpoint.js';
import type { FollowAssemblerOptions, FollowSource } from '../follow/follow-types.js';
import { formatReport, reportObject, runFollow } from '../follow/run-follow.js';
import { openFollowSources } from '../follow/sources/open-follow-sources.js';
import { SigV4ConfigError, sigv4TargetFor } from '../otlp-transport/sigv4-target.js';
import type { SpanDestination } from '../sdk/converter/span-converter.js';
import { flag, flagAll, hasFlag, intFlag, parseArgs, parseDuration, UsageError, type FlagSpec } from './args.js';
import { checkOutputPaths, type OutputPath } from './output-paths.js';
import { reportFailure } from './report-failure.js';

const FLAGS: Record<string, FlagSpec> = {
  input: { value: true, many: true },
  'log-group': { value: true, many: true },
  region: { value: true },
  profile: { value: true },
  endpoint: { value: true },
  'live-tail': {},
  'from-start': {},
  'otlp-endpoint': { value: true },
  output: { value: true },
  sigv4: { value: true },
  hold: { value: true },
  'trace-window': { value: true },
  checkpoint: { value: true },
  'checkpoint-interval': { value: true },
  'status-interval': { value: true },
  'shutdown-timeout': { value: true },
  'max-open-traces': { value: true },
  'max-lines-per-trace': { value: true },
  'max-queue': { value: true },
  'report-json': {},
  help: {},
};

const DEFAULT_CHECKPOINT_INTERVAL_MS = 5_000;
const DEFAULT_STATUS_INTERVAL_MS = 10_000;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_QUEUE = 10_000;
/** How long a destination waits for a fuller batch: short, since a span's lag is what follow is for. */
const LINGER_MS = 200;

export const FOLLOW_HELP = `usage:
  alakai-otel follow --input FILE…|- [--otlp-endpoint URL] [--output FILE] [--checkpoint FILE]
  alakai-otel follow --log-group NAME… [--region R] [--otlp-endpoint URL] [--checkpoint FILE]

Follows log lines as they are written and exports linked spans as executions arrive: the spans a
later \`backfill\` of the same lines builds (same ids, parents, times, attributes), each slice once.
A legacy slice waits for its causal parent (core → orchestrator → worker) at most --hold; then it
goes out unlinked, as \`live\` would send it, and linked once the parent comes or the trace closes.

input
  --input FILE…|-        files tailed as they grow (from their end; rotation and truncation
                         followed), - = stdin (the run ends at its end)
  --from-start           read existing files from their first byte instead of their end
  --log-group NAME…      CloudWatch log groups, polled with FilterLogEvents (5 TPS shared)
  --live-tail            use CloudWatch Live Tail where it serves (polling covers the gaps)
  --region R --profile P --endpoint URL   AWS settings for --log-group
output (one or both)
  --otlp-endpoint URL    OTLP/HTTP traces endpoint (default: OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces)
  --output FILE          OTLP/JSON lines, appended to (never truncated; an unfinished last line
                         left by a killed run is cut and its spans sent again)
  --sigv4 xray           sign for X-Ray an endpoint with another host (automatic for xray.REGION.amazonaws.com)
run
  --hold D               longest wait of a slice for its causal parent (default ${DEFAULT_FOLLOW_HOLD_MS / 1000}s)
  --trace-window D       a trace with no new line for D is closed (default ${DEFAULT_TRACE_WINDOW_MS / 60_000}m)
  --checkpoint FILE      resume from / save to FILE: source positions and the open window
  --checkpoint-interval D  how often the checkpoint is saved (default ${DEFAULT_CHECKPOINT_INTERVAL_MS / 1000}s; also at SIGTERM)
  --status-interval D    a status line on stderr every D (default ${DEFAULT_STATUS_INTERVAL_MS / 1000}s; 0 = none)
  --shutdown-timeout D   at SIGTERM/SIGINT, the longest wait for the last exports (default ${DEFAULT_SHUTDOWN_TIMEOUT_MS / 1000}s)
  --max-open-traces N    traces held at once (default ${DEFAULT_MAX_OPEN_TRACES}); the oldest is closed early, counted
  --max-lines-per-trace N  lines kept per trace (default ${DEFAULT_MAX_LINES_PER_TRACE}); more are dropped, counted
  --max-queue N          spans held for the destinations (default ${DEFAULT_MAX_QUEUE}); beyond, dropped and counted
  --report-json          the final report as one JSON line on stderr instead of a readable block
Durations: 500ms, 15s, 5m, 1h.
Exit: 0 stopped by SIGTERM/SIGINT or the input ended, 1 every export failed, 2 usage error.`;

/** `--status-interval 0` turns the line off; every other duration needs its unit. */
function durationFlag(value: string | undefined, name: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (allowZero && value.trim() === '0') return 0;
  const ms = parseDuration(value, `--${name}`);
  if (ms <= 0 && !allowZero) throw new UsageError(`--${name} must be longer than 0`);
  if (ms > 2 ** 31 - 1) throw new UsageError(`--${name} must be at most 24d`);
  return ms;
}

function checkEndpoint(endpoint: string): void {
  try {
    new URL(endpoint);
  } catch {
    throw new UsageError(`--otlp-endpoint is not a URL: "${endpoint.slice(0, 80)}"`);
  }
}

/** A file's path as it will be once it exists: its directory's real path and its name. */
async function futurePath(path: string): Promise<string> {
  const full = resolve(path);
  try {
    return await realpath(full);
  } catch {
    return join(await realpath(dirname(full)).catch(() => dirname(full)), basename(full));
  }
}

/**
 * checkOutputPaths compares files that exist; a tailed input may not exist yet (it is polled until
 * it appears), and an output of the same name would then be followed as its own input.
 */
async function refuseOutputsNamedAsInputs(inputs: readonly string[], outputs: readonly OutputPath[]): Promise<void> {
  const named = new Map<string, string>();
  for (const input of inputs) if (input !== '-') named.set(await futurePath(input), input);
  for (const out of outputs) {
    const input = named.get(await futurePath(out.path));
    if (input !== undefined)
      throw new UsageError(
        `${out.flag} ${JSON.stringify(out.path.slice(0, 200))} is the input ${JSON.stringify(input.slice(0, 200))}`,
      );
  }
}

/** The assembler: restored from the checkpoint's window, or new. */
function assemblerFor(
  options: FollowAssemblerOptions,
  restored: FollowCheckpoint | undefined,
  path: string | undefined,
): FollowAssembler {
  if (!restored) return new FollowAssembler(options);
  try {
    return FollowAssembler.restore(options, restored.window);
  } catch (err) {
    if (err instanceof FollowSnapshotError)
      throw new SourceUserError(`checkpoint ${path}: ${err.message}; delete it to start over`);
    throw err;
  }
}

/** Sources named in the checkpoint but not now, and the other way round: said once, never silent. */
function noteSourceChanges(sources: readonly FollowSource[], restored: FollowCheckpoint | undefined): void {
  if (!restored) return;
  const now = new Set(sources.map((s) => s.id));
  const before = new Set(restored.sources.map((s) => s.id));
  for (const id of before)
    if (!now.has(id))
      process.stderr.write(`alakai-otel follow: ${id.slice(0, 200)} is in the checkpoint but not followed now\n`);
  for (const id of now)
    if (!before.has(id) && id !== 'stdin')
      process.stderr.write(
        `alakai-otel follow: ${id.slice(0, 200)} is new since the checkpoint: read from its start point\n`,
      );
}

export async function followCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (hasFlag(args, 'help')) {
    process.stdout.write(FOLLOW_HELP + '\n');
    return 0;
  }
  if (args.positionals.length > 0)
    throw new UsageError(`unexpected argument "${args.positionals[0]!.slice(0, 40)}" (files go after --input)`);
  const inputs = flagAll(args, 'input');
  const logGroups = flagAll(args, 'log-group');
  if (inputs.length === 0 && logGroups.length === 0)
    throw new UsageError('needs --input FILE…|- or --log-group NAME… (see --help)');
  if (inputs.filter((i) => i === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  if (inputs.some((i) => i.startsWith('s3://')))
    throw new UsageError('follow reads files as they grow, not s3:// objects (use backfill for those)');
  if (new Set(inputs).size !== inputs.length) throw new UsageError('an --input is named twice');
  if (new Set(logGroups).size !== logGroups.length) throw new UsageError('a --log-group is named twice');
  for (const name of ['region', 'profile', 'endpoint', 'live-tail'])
    if (hasFlag(args, name) && logGroups.length === 0) throw new UsageError(`--${name} goes with --log-group`);
  if (hasFlag(args, 'from-start') && !inputs.some((i) => i !== '-'))
    throw new UsageError('--from-start goes with --input FILE');
  const checkpointPath = flag(args, 'checkpoint');
  if (checkpointPath && inputs.includes('-'))
    throw new UsageError('stdin cannot be reopened where a run stopped: --checkpoint goes with files and log groups');
  if (hasFlag(args, 'checkpoint-interval') && !checkpointPath)
    throw new UsageError('--checkpoint-interval goes with --checkpoint');

  const output = flag(args, 'output');
  const endpoint = flag(args, 'otlp-endpoint') ?? (output ? undefined : defaultOtlpEndpoint());
  if (!endpoint && !output)
    throw new UsageError('needs --otlp-endpoint URL, --output FILE or OTEL_EXPORTER_OTLP_ENDPOINT');
  if (endpoint) checkEndpoint(endpoint);
  if (flag(args, 'sigv4') && !endpoint) throw new UsageError('--sigv4 goes with --otlp-endpoint');
  let sigv4;
  try {
    sigv4 = endpoint ? sigv4TargetFor(endpoint, flag(args, 'sigv4')) : undefined;
  } catch (err) {
    if (err instanceof SigV4ConfigError) throw new UsageError(`--sigv4: ${err.message}`);
    throw err;
  }

  const holdMs = durationFlag(flag(args, 'hold'), 'hold', DEFAULT_FOLLOW_HOLD_MS, true);
  const traceWindowMs = durationFlag(flag(args, 'trace-window'), 'trace-window', DEFAULT_TRACE_WINDOW_MS);
  if (traceWindowMs < holdMs) throw new UsageError('--trace-window must be at least --hold');
  const checkpointIntervalMs = durationFlag(
    flag(args, 'checkpoint-interval'),
    'checkpoint-interval',
    DEFAULT_CHECKPOINT_INTERVAL_MS,
  );
  const statusIntervalMs = durationFlag(
    flag(args, 'status-interval'),
    'status-interval',
    DEFAULT_STATUS_INTERVAL_MS,
    true,
  );
  const shutdownTimeoutMs = durationFlag(
    flag(args, 'shutdown-timeout'),
    'shutdown-timeout',
    DEFAULT_SHUTDOWN_TIMEOUT_MS,
    true,
  );
  const maxOpenTraces = intFlag(args, 'max-open-traces', DEFAULT_MAX_OPEN_TRACES, 1, 10_000_000);
  const maxLinesPerTrace = intFlag(args, 'max-lines-per-trace', DEFAULT_MAX_LINES_PER_TRACE, 1, 10_000_000);
  const maxQueue = intFlag(args, 'max-queue', DEFAULT_MAX_QUEUE, 1, 10_000_000);

  // Before anything is opened for writing: an output that is an input, or the checkpoint, is refused.
  const outputs: OutputPath[] = [];
  if (output) outputs.push({ flag: '--output', path: output });
  if (checkpointPath) outputs.push({ flag: '--checkpoint', path: checkpointPath, viaTempFile: true });
  await checkOutputPaths(inputs, outputs);
  await refuseOutputsNamedAsInputs(inputs, outputs);

  const assemblerOptions: FollowAssemblerOptions = {
    holdMs,
    traceWindowMs,
    maxOpenTraces,
    maxLinesPerTrace,
    maxLineBytes: DEFAULT_MAX_LINE_BYTES,
  };
  let restored: FollowCheckpoint | undefined;
  let assembler: FollowAssembler;
  let sources: FollowSource[];
  const destinations: SpanDestination[] = [];
  const xrayNotSent = Object.create(null) as Record<string, number>;
  try {
    restored = checkpointPath ? await loadFollowCheckpoint(checkpointPath) : undefined;
    assembler = assemblerFor(assemblerOptions, restored, checkpointPath);
    sources = await openFollowSources({
      inputs,
      logGroups,
      fromStart: hasFlag(args, 'from-start'),
      liveTail: hasFlag(args, 'live-tail'),
      ...(flag(args, 'region') ? { region: flag(args, 'region')! } : {}),
      ...(flag(args, 'profile') ? { profile: flag(args, 'profile')! } : {}),
      ...(flag(args, 'endpoint') ? { endpoint: flag(args, 'endpoint')! } : {}),
    });
    noteSourceChanges(sources, restored);
    if (output) {
      const start = await appendStart(output);
      if (start.cut > 0)
        process.stderr.write(
          `alakai-otel follow: ${output.slice(0, 200)}: cut an unfinished last line (${start.cut} bytes, from a killed run); its spans are sent again\n`,
        );
      destinations.push(await fileDestination(output, { bytes: start.bytes, spans: 0 }));
    }
  } catch (err) {
    return reportFailure('follow', err);
  }
  if (endpoint)
    destinations.push(
      httpDestination(
        {
          endpoint,
          timeoutMs: 10_000,
          // Patient retries: a span that fails for good holds the checkpoint back (run-follow.ts).
          retry: { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 5000 },
          ...(sigv4 ? { sigv4, xray: true } : {}),
        },
        xrayNotSent,
      ),
    );

  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const result = await runFollow({
    sources,
    assembler,
    destinations,
    maxQueuedSpans: maxQueue,
    lingerMs: LINGER_MS,
    ...(restored ? { restored } : {}),
    ...(checkpointPath ? { checkpoint: { path: checkpointPath, intervalMs: checkpointIntervalMs } } : {}),
    statusIntervalMs,
    shutdownTimeoutMs,
    stop: stop.signal,
    status: (line) => process.stderr.write(line + '\n'),
  });
  process.removeListener('SIGTERM', onSignal);
  process.removeListener('SIGINT', onSignal);
  if (hasFlag(args, 'report-json'))
    process.stderr.write(JSON.stringify({ ...reportObject(result), xrayNotSent: { ...xrayNotSent } }) + '\n');
  else process.stderr.write(formatReport(result, shutdownTimeoutMs));
  const refused = Object.entries(xrayNotSent);
  if (refused.length > 0 && !hasFlag(args, 'report-json'))
    process.stderr.write(
      `alakai-otel follow: spans not sent to X-Ray (its limits): ${refused.map(([reason, n]) => `${reason} ${n}`).join(', ')}\n`,
    );
  const d = result.converter.destinations;
  const everyExportFailed = d.some((x) => x.failed + x.notSent > 0) && d.every((x) => x.exported === 0);
  return everyExportFailed ? 1 : 0;
}

/**
 * Where the lines come from, read alike by `backfill` and `trace`: the input flags, the CloudWatch
 * time range and log groups they name, and the notice for an input that holds only part of a range.
 */
import { notePartialInput, type BackfillCounters } from '../backfill/report.js';
import { DEFAULT_LOG_GROUPS, type CloudWatchChoice } from '../backfill/sources/open-sources.js';
import { flag, flagAll, parseDuration, parseInstant, UsageError, type FlagSpec, type ParsedArgs } from './args.js';

/** Files, or a CloudWatch Logs range. */
export const INPUT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  input: { value: true, many: true },
  since: { value: true },
  start: { value: true },
  end: { value: true },
  'log-group': { value: true, many: true },
  region: { value: true },
  profile: { value: true },
  endpoint: { value: true },
};

/** --since / --start / --end → [start, end) in epoch ms; undefined when none is given. */
export function timeRange(args: ParsedArgs, nowMs: number): { startMs: number; endMs: number } | undefined {
  const since = flag(args, 'since');
  const start = flag(args, 'start');
  const end = flag(args, 'end');
  if (since && start) throw new UsageError('give --since or --start, not both');
  if (!since && !start && !end) return undefined;
  if (end && !start && !since) throw new UsageError('--end needs --start or --since');
  const endMs = end ? parseInstant(end, '--end') : nowMs;
  const startMs = since ? endMs - parseDuration(since, '--since') : parseInstant(start!, '--start');
  if (!(startMs < endMs)) throw new UsageError('the time range is empty (start must be before end)');
  return { startMs, endMs };
}

/** The CloudWatch Logs part of INPUT_FLAGS over `range`: --log-group (default: the guide's three) and the AWS settings given. */
export function cloudWatchChoice(args: ParsedArgs, range: { startMs: number; endMs: number }): CloudWatchChoice {
  const logGroups = flagAll(args, 'log-group');
  const region = flag(args, 'region');
  const profile = flag(args, 'profile');
  const endpoint = flag(args, 'endpoint');
  return {
    logGroups: logGroups.length > 0 ? logGroups : [...DEFAULT_LOG_GROUPS],
    startMs: range.startMs,
    endMs: range.endMs,
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
}

/**
 * An input that holds only part of what was asked for is said at once on stderr (even with
 * --report or --quiet: the run "succeeds" on less than the user thinks) and in the report.
 */
export function partialInputNotice(
  command: string,
  counters: BackfillCounters,
): (source: string, message: string) => void {
  return (_source, message) => {
    if (notePartialInput(counters, message)) process.stderr.write(`alakai-otel ${command}: warning: ${message}\n`);
  };
}

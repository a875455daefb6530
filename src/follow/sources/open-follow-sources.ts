/**
 * `follow`'s sources from its command line: `--input` paths tailed (`-` = stdin) and log groups
 * polled (or Live Tailed with pollers underneath, `--live-tail`). Every CloudWatch source of one
 * account+region takes from the process's one FilterLogEvents bucket (open-sources.ts), and the
 * client is the backfill's (standard AWS configuration; region, profile, endpoint as given).
 *
 * What cannot work is said now, as a SourceUserError (one line, exit 2): a directory, a gzip file
 * (backfill reads those), an `s3://` input, stdin twice. A file that does not exist yet is fine:
 * it is tailed once it appears.
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { RetryPolicy } from '../../backfill/retry.js';
import { SourceUserError } from '../../backfill/source-types.js';
import { startsLikeGzip } from '../../backfill/sources/inflate.js';
import { cloudWatchBucket } from '../../backfill/sources/open-sources.js';
import type { FollowSource } from '../follow-types.js';
import { CloudWatchPollSource } from './cloudwatch-poll-source.js';
import { LIVE_TAIL_MAX_GROUPS, LiveTailSource } from './live-tail-source.js';
import { StdinSource } from './stdin-source.js';
import { gzipRefusal, TailFileSource } from './tail-file-source.js';

export interface FollowSourceChoice {
  /** Files to tail; `-` is stdin. */
  inputs: readonly string[];
  logGroups: readonly string[];
  region?: string;
  profile?: string;
  endpoint?: string;
  /** CloudWatch poll interval (files poll every DEFAULT_TAIL_POLL_MS unless filePollIntervalMs). */
  pollIntervalMs?: number;
  overlapMs?: number;
  liveTail?: boolean;
  /** Read existing files from their first byte (`--from-start`). */
  fromStart?: boolean;
  filePollIntervalMs?: number;
  maxLineBytes?: number;
  retry?: RetryPolicy;
  /** stdin stand-in for tests. */
  stdin?: Readable;
}

export async function openFollowSources(choice: FollowSourceChoice): Promise<FollowSource[]> {
  const sources: FollowSource[] = [];
  const paths = new Set<string>();
  let stdin = false;
  for (const input of choice.inputs) {
    if (input === '-') {
      if (stdin) throw new SourceUserError('--input - (stdin) is given twice');
      stdin = true;
      sources.push(
        new StdinSource({
          ...(choice.stdin ? { stream: choice.stdin } : {}),
          ...(choice.maxLineBytes !== undefined ? { maxLineBytes: choice.maxLineBytes } : {}),
        }),
      );
      continue;
    }
    if (input.startsWith('s3://'))
      throw new SourceUserError(`${input}: follow tails local files and log groups; read S3 objects with backfill`);
    const path = resolve(input);
    // The same file twice would deliver each line twice.
    if (paths.has(path)) continue;
    paths.add(path);
    await refuseUntailable(input, path);
    sources.push(
      new TailFileSource(path, {
        ...(choice.fromStart ? { fromStart: true } : {}),
        ...(choice.filePollIntervalMs !== undefined ? { pollIntervalMs: choice.filePollIntervalMs } : {}),
        ...(choice.maxLineBytes !== undefined ? { maxLineBytes: choice.maxLineBytes } : {}),
      }),
    );
  }
  const groups = [...new Set(choice.logGroups)];
  if (groups.some((g) => g.trim() === '')) throw new SourceUserError('--log-group: empty log group name');
  if (groups.length === 0) return sources;

  // Loaded on demand: file-only follows should not pay for the AWS SDK's start-up.
  const { cloudWatchClient } = await import('../../backfill/sources/cloudwatch-filter-source.js');
  const aws = {
    ...(choice.region ? { region: choice.region } : {}),
    ...(choice.profile ? { profile: choice.profile } : {}),
    ...(choice.endpoint ? { endpoint: choice.endpoint } : {}),
  };
  const client = cloudWatchClient(aws);
  const limiter = cloudWatchBucket(aws);
  const pollers = groups.map(
    (logGroup) =>
      new CloudWatchPollSource({
        client,
        logGroup,
        limiter,
        ...(choice.pollIntervalMs !== undefined ? { pollIntervalMs: choice.pollIntervalMs } : {}),
        ...(choice.overlapMs !== undefined ? { overlapMs: choice.overlapMs } : {}),
        ...(choice.retry !== undefined ? { retry: choice.retry } : {}),
        ...(choice.liveTail ? { contentDedupe: true } : {}),
      }),
  );
  if (!choice.liveTail) return [...sources, ...pollers];
  // A session takes up to 10 groups; more groups, more sessions.
  for (let i = 0; i < pollers.length; i += LIVE_TAIL_MAX_GROUPS)
    sources.push(new LiveTailSource({ client, pollers: pollers.slice(i, i + LIVE_TAIL_MAX_GROUPS), limiter }));
  return sources;
}

/** A directory or a gzip file cannot be tailed; a path that does not exist yet can. */
async function refuseUntailable(input: string, path: string): Promise<void> {
  let isFile: boolean;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new SourceUserError(`cannot follow ${input}: is a directory`);
    isFile = st.isFile();
  } catch (err) {
    if (err instanceof SourceUserError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new SourceUserError(`cannot follow ${input}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isFile) return;
  let head: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const buf = Buffer.alloc(2);
      const { bytesRead } = await handle.read(buf, 0, 2, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SourceUserError(`cannot follow ${input}: ${code === 'EACCES' ? 'permission denied' : String(code)}`);
  }
  if (startsLikeGzip(head)) throw new SourceUserError(gzipRefusal(input));
}

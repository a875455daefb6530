/**
 * Which sources `follow` reads, from its flags: files tailed, stdin, and per log group a
 * FilterLogEvents poller, all pollers of a process sharing the account+region's one 5 TPS bucket
 * (with `--live-tail`, one Live Tail session over them, the pollers underneath). The sources' own
 * factory (follow/sources/open-follow-sources.ts, same choice) replaces this once it is in the build.
 */
import { open } from 'node:fs/promises';
import { cloudWatchClient } from '../backfill/sources/cloudwatch-filter-source.js';
import { FILTER_LOG_EVENTS_TPS } from '../backfill/sources/open-sources.js';
import { sharedTokenBucket } from '../backfill/sources/token-bucket.js';
import type { FollowSource } from '../follow/follow-types.js';
import { CloudWatchPollSource } from '../follow/sources/cloudwatch-poll-source.js';
import { LIVE_TAIL_MAX_GROUPS, LiveTailSource } from '../follow/sources/live-tail-source.js';
import { StdinSource } from '../follow/sources/stdin-source.js';
import { gzipRefusal, TailFileSource } from '../follow/sources/tail-file-source.js';
import { UsageError } from './args.js';

export interface FollowSourceChoice {
  inputs: readonly string[];
  logGroups: readonly string[];
  fromStart: boolean;
  liveTail: boolean;
  region?: string;
  profile?: string;
  endpoint?: string;
}

async function isGzip(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    return head[0] === 0x1f && head[1] === 0x8b;
  } catch {
    return false; // missing or unreadable: the tailer reports it and keeps polling
  } finally {
    await handle?.close();
  }
}

export async function openFollowSources(choice: FollowSourceChoice): Promise<FollowSource[]> {
  const sources: FollowSource[] = [];
  if (choice.logGroups.length > 0) {
    const aws = {
      ...(choice.region ? { region: choice.region } : {}),
      ...(choice.profile ? { profile: choice.profile } : {}),
      ...(choice.endpoint ? { endpoint: choice.endpoint } : {}),
    };
    const client = cloudWatchClient(aws);
    const key = `${choice.region ?? process.env['AWS_REGION'] ?? ''}|${choice.profile ?? process.env['AWS_PROFILE'] ?? ''}|${choice.endpoint ?? ''}`;
    const limiter = sharedTokenBucket(key, FILTER_LOG_EVENTS_TPS);
    const pollers = choice.logGroups.map(
      (logGroup) => new CloudWatchPollSource({ client, logGroup, limiter, contentDedupe: choice.liveTail }),
    );
    if (choice.liveTail && pollers.length > LIVE_TAIL_MAX_GROUPS)
      throw new UsageError(`--live-tail follows at most ${LIVE_TAIL_MAX_GROUPS} log groups a session`);
    if (choice.liveTail) sources.push(new LiveTailSource({ client, pollers, limiter }));
    else sources.push(...pollers);
  }
  for (const input of choice.inputs) {
    if (input === '-') sources.push(new StdinSource());
    else {
      if (await isGzip(input)) throw new UsageError(gzipRefusal(input));
      sources.push(new TailFileSource(input, { fromStart: choice.fromStart }));
    }
  }
  return sources;
}

/**
 * Which sources `follow` reads, from its flags. Files and stdin are opened here; the CloudWatch
 * sources come with follow/sources/open-follow-sources.ts (the sources' own factory, which takes
 * this same choice): until it is in the build, `--log-group` is refused with one line.
 */
import { open } from 'node:fs/promises';
import type { FollowSource } from '../follow/follow-types.js';
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
  if (choice.logGroups.length > 0)
    throw new UsageError('--log-group needs the CloudWatch sources, which are not in this build yet');
  const sources: FollowSource[] = [];
  for (const input of choice.inputs) {
    if (input === '-') sources.push(new StdinSource());
    else {
      if (await isGzip(input)) throw new UsageError(gzipRefusal(input));
      sources.push(new TailFileSource(input, { fromStart: choice.fromStart }));
    }
  }
  return sources;
}

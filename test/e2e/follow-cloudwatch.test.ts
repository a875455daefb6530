/**
 * `follow`'s CloudWatch sources against moto (real @aws-sdk/client-cloudwatch-logs over HTTP):
 * FilterLogEvents polling while PutLogEvents goes on, the overlap asked for again on every poll and
 * its events delivered once, a group deleted mid-run (missing) and created again (resumed), and
 * Live Tail as far as moto serves it (a session start and one update holding the group's events,
 * then the stream ends: live-tail-source.ts reconnects and the poller covers the rest).
 */
import { randomUUID } from 'node:crypto';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import type { FollowLine, FollowSource } from '../../src/follow/follow-types.js';
import { CloudWatchPollSource } from '../../src/follow/sources/cloudwatch-poll-source.js';
import { TokenBucket } from '../../src/backfill/sources/token-bucket.js';
import { logsClient } from './harness/cloudwatch.js';
import { loadPeersEnv } from './harness/peers-env.js';
import { pollUntil } from './harness/poll.js';

const peers = loadPeersEnv();
const client = logsClient(peers);
// Groups of our own: the moto peer is shared with other suites.
const run = randomUUID().slice(0, 8);
const made: string[] = [];
const running: FollowSource[] = [];

afterEach(async () => {
  while (running.length > 0) await running.pop()!.stop();
});

afterAll(async () => {
  for (const g of made) await client.send(new DeleteLogGroupCommand({ logGroupName: g })).catch(() => undefined);
});

async function createGroup(name: string): Promise<void> {
  made.push(name);
  await client.send(new CreateLogGroupCommand({ logGroupName: name }));
  await client.send(new CreateLogStreamCommand({ logGroupName: name, logStreamName: 'ecs/task/1' }));
}

async function put(group: string, messages: string[], at = Date.now()): Promise<void> {
  await client.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: 'ecs/task/1',
      logEvents: messages.map((message, i) => ({ message, timestamp: at + i })),
    }),
  );
}

/** Waits (≤ 15 s) until `cond` holds. */
function poll(cond: () => boolean, options: { what: string }): Promise<true> {
  return pollUntil(async () => (cond() ? true : undefined), { ...options, timeoutMs: 15_000, intervalMs: 20 });
}

function collect(source: FollowSource): FollowLine[] {
  const lines: FollowLine[] = [];
  running.push(source);
  source.start((batch) => lines.push(...batch));
  return lines;
}

describe('FilterLogEvents polling against moto', () => {
  test('events put while polling arrive once each, in order, though every poll asks for the overlap again', async () => {
    const group = `/e2e/follow-${run}/core`;
    await createGroup(group);
    const startMs = Date.now();
    await put(group, ['{"n":0}', '{"n":1}'], startMs);
    const bucket = new TokenBucket(5);
    const source = new CloudWatchPollSource({
      client,
      logGroup: group,
      limiter: bucket,
      pollIntervalMs: 100,
      overlapMs: 60_000,
      startMs,
    });
    const lines = collect(source);
    await poll(() => lines.length === 2, { what: 'the first two events' });
    for (let i = 2; i < 8; i += 2) await put(group, [`{"n":${i}}`, `{"n":${i + 1}}`]);
    await poll(() => lines.length === 8, { what: 'all eight events' });
    // The overlap (a minute) holds every event: each later poll gets them all again from moto.
    const before = source.status().lines;
    await new Promise((r) => setTimeout(r, 600));
    expect(source.status().lines).toBe(before);
    expect(lines.map((l) => JSON.parse(l.text).n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(lines.every((l) => typeof l.timestampMs === 'number' && l.timestampMs >= startMs)).toBe(true);
    expect(source.status()).toMatchObject({ retries: 0, readErrors: 0 });
    expect(source.status().lagMs).toBeLessThan(60_000);
  });

  test('a group deleted mid-run is missing, and resumed once it is created again', async () => {
    const group = `/e2e/follow-${run}/worker`;
    await createGroup(group);
    const startMs = Date.now();
    const source = new CloudWatchPollSource({
      client,
      logGroup: group,
      limiter: new TokenBucket(5),
      pollIntervalMs: 100,
      slowPollIntervalMs: 200,
      startMs,
    });
    const lines = collect(source);
    await put(group, ['before delete']);
    await poll(() => lines.length === 1, { what: 'the first event' });
    await client.send(new DeleteLogGroupCommand({ logGroupName: group }));
    await poll(() => source.status().state === 'missing', { what: 'missing' });
    expect(source.status().lastError).toMatch(/does not exist/);
    await createGroup(group);
    await put(group, ['after re-create']);
    await poll(() => lines.length === 2, { what: 'the event after re-creation' });
    expect(lines.map((l) => l.text)).toEqual(['before delete', 'after re-create']);
    expect(source.status().incidents).toMatchObject({ missing: 1, reappeared: 1 });
  });
});

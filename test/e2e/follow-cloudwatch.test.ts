/**
 * `follow`'s CloudWatch sources against moto (real @aws-sdk/client-cloudwatch-logs over HTTP):
 * FilterLogEvents polling while PutLogEvents goes on, the overlap asked for again on every poll and
 * its events delivered once, a group deleted mid-run (missing) and created again (resumed), and
 * Live Tail as far as moto serves it (a session start and one update holding the group's events,
 * then the stream ends: live-tail-source.ts reconnects and the poller covers the rest).
 */
import { randomUUID } from 'node:crypto';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import type { FollowLine, FollowSource } from '../../src/follow/follow-types.js';
import { CloudWatchPollSource } from '../../src/follow/sources/cloudwatch-poll-source.js';
import { LiveTailSource } from '../../src/follow/sources/live-tail-source.js';
import { TokenBucket } from '../../src/backfill/sources/token-bucket.js';
import { logsClient } from './harness/cloudwatch.js';
import { awsClientConfig, loadPeersEnv } from './harness/peers-env.js';
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

describe('Live Tail against moto', () => {
  test('what moto serves (a session start, one update, the end) is delivered once, the pollers covering the rest', async () => {
    // One group a session: moto 5.2.5 answers a session of two groups with the LAST group's ARN
    // twice in sessionStart.logGroupIdentifiers and events of that group only (AWS takes up to 10).
    const groups = [`/e2e/follow-${run}/lt-core`];
    for (const g of groups) await createGroup(g);
    // Before the start: moto's update holds these too; they are not delivered (follow starts now).
    await put(groups[0]!, ['{"old":true}'], Date.now() - 5_000);
    const startMs = Date.now();
    // StartLiveTail's host prefix (`stream-`) is left off for an endpoint of one's own.
    const ltClient = new CloudWatchLogsClient({ ...awsClientConfig(peers), disableHostPrefix: true });
    const bucket = new TokenBucket(5);
    // The pollers cannot reach CloudWatch here (a closed port): what arrives comes by Live Tail.
    const deadClient = new CloudWatchLogsClient({
      ...awsClientConfig(peers),
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
    });
    const pollers = groups.map(
      (g) =>
        new CloudWatchPollSource({
          client: deadClient,
          logGroup: g,
          limiter: bucket,
          // Slow enough to leave the bucket's 5 a second to Live Tail.
          pollIntervalMs: 2_000,
          slowPollIntervalMs: 2_000,
          retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
          contentDedupe: true,
          startMs,
        }),
    );
    const source = new LiveTailSource({
      client: ltClient,
      pollers,
      limiter: bucket,
      reconnectMinMs: 100,
      reconnectMaxMs: 200,
    });
    const lines = collect(source);
    await poll(() => (source.status().incidents?.['live_tail_sessions'] ?? 0) >= 1, { what: 'a Live Tail session' });
    await put(groups[0]!, ['{"core":1}', '{"core":2}']);
    await put(groups[0]!, ['{"core":3}']);
    await poll(() => lines.length === 3, { what: `the three new events (${JSON.stringify(source.status())})` });
    // Several more sessions (each replays the whole group) and polls: nothing twice.
    const sessions = source.status().incidents?.['live_tail_sessions'] ?? 0;
    await poll(() => (source.status().incidents?.['live_tail_sessions'] ?? 0) >= sessions + 3, {
      what: 'three more sessions',
    });
    expect(lines.map((l) => l.text)).toEqual(['{"core":1}', '{"core":2}', '{"core":3}']);
    const status = source.status();
    expect(status.incidents?.['live_tail_lines']).toBe(3);
    expect(status.incidents?.['live_tail_ended']).toBeGreaterThanOrEqual(1);
    expect(status.lines).toBe(3);
    // The position holds each group's poller position; reopened there (pollers that reach moto
    // now, over the same minute), nothing comes again by either path.
    const position = source.position();
    await source.stop();
    running.pop();
    const again = new LiveTailSource({
      client: ltClient,
      pollers: groups.map(
        (g) =>
          new CloudWatchPollSource({
            client: ltClient,
            logGroup: g,
            limiter: bucket,
            pollIntervalMs: 100,
            contentDedupe: true,
          }),
      ),
      limiter: bucket,
      reconnectMinMs: 100,
      reconnectMaxMs: 200,
    });
    const more: FollowLine[] = [];
    running.push(again);
    again.start((batch) => more.push(...batch), position);
    await poll(() => (again.status().incidents?.['live_tail_sessions'] ?? 0) >= 2, {
      what: 'sessions after reopening',
    });
    expect(more).toEqual([]);
  });

  test('an endpoint that refuses StartLiveTail leaves the pollers on, and says why', async () => {
    const group = `/e2e/follow-${run}/lt-refused`;
    await createGroup(group);
    const startMs = Date.now();
    // With the host prefix the SDK asks stream-127.0.0.1: the call fails, as a refused Live Tail would.
    const prefixed = new CloudWatchLogsClient({ ...awsClientConfig(peers), maxAttempts: 1 });
    const poller = new CloudWatchPollSource({
      client,
      logGroup: group,
      limiter: new TokenBucket(5),
      pollIntervalMs: 100,
      contentDedupe: true,
      startMs,
    });
    const source = new LiveTailSource({
      client: prefixed,
      pollers: [poller],
      limiter: new TokenBucket(5),
      reconnectMinMs: 50,
      reconnectMaxMs: 60_000,
    });
    const lines = collect(source);
    await put(group, ['polled']);
    await poll(() => lines.length === 1, { what: 'the polled event' });
    await poll(() => source.status().lastError !== undefined, { what: 'the reason' });
    expect(source.status().lastError).toMatch(/Live Tail/);
    expect(lines.map((l) => l.text)).toEqual(['polled']);
  });
});

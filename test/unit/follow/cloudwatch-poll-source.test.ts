/**
 * The FilterLogEvents poller's fault paths through the REAL @aws-sdk/client-cloudwatch-logs client
 * against the in-process endpoint speaking the CloudWatch Logs JSON protocol (fake-cloudwatch.ts):
 * throttling and 5xx storms, a group missing then created, expired tokens, every request taking a
 * token from the shared bucket, and a restart at the position. The same behaviour against moto is
 * test/e2e/follow-cloudwatch.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FollowLine, SourcePosition } from '../../../src/follow/follow-types.js';
import {
  CloudWatchPollSource,
  type CloudWatchPollOptions,
} from '../../../src/follow/sources/cloudwatch-poll-source.js';
import { TokenBucket } from '../../../src/backfill/sources/token-bucket.js';
import {
  faults,
  startFakeCloudWatch,
  type FakeCloudWatch,
  type FakeCloudWatchOptions,
  type FakeLogEvent,
} from '../backfill/fake-cloudwatch.js';

const GROUP = '/ecs/alakai-core';
const servers: FakeCloudWatch[] = [];
const sources: CloudWatchPollSource[] = [];

afterEach(async () => {
  while (sources.length > 0) await sources.pop()!.stop();
  while (servers.length > 0) await servers.pop()!.close();
});

/** Counts the tokens taken (no waiting: the rate is not what these tests look at). */
class CountingBucket extends TokenBucket {
  taken = 0;
  constructor() {
    super(1e9, 1e9);
  }
  override take(): Promise<void> {
    this.taken++;
    return super.take();
  }
}

async function fake(options: Partial<FakeCloudWatchOptions> & { groups: FakeCloudWatchOptions['groups'] }) {
  const f = await startFakeCloudWatch({ pageSize: 3, ...options });
  servers.push(f);
  return f;
}

function follow(f: FakeCloudWatch, extra: Partial<CloudWatchPollOptions> = {}, position?: SourcePosition) {
  const limiter = extra.limiter ?? new CountingBucket();
  const source = new CloudWatchPollSource({
    client: f.client(),
    logGroup: GROUP,
    limiter,
    pollIntervalMs: 20,
    slowPollIntervalMs: 40,
    overlapMs: 60_000,
    startMs: 1_000,
    // A still clock: the bound (now − overlap) stays at the start, under the events' made-up times.
    clock: () => 10_000,
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    ...extra,
  });
  sources.push(source);
  const lines: FollowLine[] = [];
  source.start((batch) => lines.push(...batch), position);
  return { source, lines, limiter };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const filterCalls = (f: FakeCloudWatch) => f.requests.filter((r) => r.target.endsWith('FilterLogEvents'));
const ev = (timestamp: number, message: string): FakeLogEvent => ({ timestamp, message: `${message}\n` });

describe('CloudWatchPollSource (fake CloudWatch endpoint)', () => {
  it('delivers events in time order, each once though every poll asks for the overlap again; one token per request', async () => {
    const events = [ev(2_000, 'a'), ev(2_001, 'b'), ev(2_002, 'c'), ev(2_003, 'd'), ev(500, 'before start')];
    const f = await fake({ groups: { [GROUP]: events } });
    const { source, lines, limiter } = follow(f);
    await until(() => lines.length === 4, 'the first four');
    events.push(ev(2_004, 'e'), ev(2_005, 'f'));
    await until(() => lines.length === 6, 'e and f');
    // Several more polls over the same overlap: nothing again.
    const calls = filterCalls(f).length;
    await until(() => filterCalls(f).length >= calls + 4, 'more polls');
    expect(lines.map((l) => l.text)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(lines.map((l) => l.timestampMs)).toEqual([2_000, 2_001, 2_002, 2_003, 2_004, 2_005]);
    // Pages of 3 with a nextToken: every request, paged or not, took a token from the bucket.
    expect((limiter as CountingBucket).taken).toBe(filterCalls(f).length);
    expect(filterCalls(f).every((r) => r.body['startTime'] === 1_000 || (r.body['startTime'] as number) > 1_000)).toBe(
      true,
    );
    expect(source.status()).toMatchObject({ state: expect.stringMatching(/waiting|reading/), lines: 6, retries: 0 });
  });

  it('rides out throttling and 5xx (retrying, counted), then delivers', async () => {
    let n = 0;
    const f = await fake({
      groups: { [GROUP]: [ev(2_000, 'a'), ev(2_001, 'b')] },
      // Three throttles and a 503 on the first requests, then the storm passes.
      fault: (req) => {
        if (!req.target.endsWith('FilterLogEvents')) return undefined;
        n++;
        if (n <= 3) return faults.throttling();
        if (n === 4) return faults.serverError(503);
        return undefined;
      },
    });
    const states = new Set<string>();
    const { source, lines } = follow(f, { retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 2 } });
    await until(() => {
      states.add(source.status().state);
      return lines.length === 2;
    }, 'the lines');
    expect(lines.map((l) => l.text)).toEqual(['a', 'b']);
    expect(states).toContain('retrying');
    expect(source.status()).toMatchObject({ retries: 4, incidents: { throttled: 3, http_503: 1 } });
  });

  it('a storm longer than the retries is reported, never thrown, and the next poll recovers', async () => {
    let throttle = true;
    const f = await fake({
      groups: { [GROUP]: [ev(2_000, 'a')] },
      fault: (req) => (throttle && req.target.endsWith('FilterLogEvents') ? faults.throttling() : undefined),
    });
    const { source, lines } = follow(f, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    await until(() => (source.status().incidents?.['poll_failed'] ?? 0) >= 2, 'two failed polls');
    expect(source.status()).toMatchObject({ state: 'retrying', lastError: expect.stringMatching(/Throttling/) });
    throttle = false;
    await until(() => lines.length === 1, 'the line after the storm');
    expect(source.status().lastError).toBeUndefined();
  });

  it('a group that does not exist is missing, polled slowly, and read once it is created', async () => {
    const groups: FakeCloudWatchOptions['groups'] = {};
    const f = await fake({ groups });
    const { source, lines } = follow(f);
    await until(() => source.status().state === 'missing', 'missing');
    expect(source.status().lastError).toMatch(/does not exist/);
    groups[GROUP] = [ev(2_000, 'created')];
    await until(() => lines.length === 1, 'the line');
    expect(source.status().incidents).toMatchObject({ missing: 1, reappeared: 1 });
    // Deleted again: missing again, no crash.
    delete groups[GROUP];
    await until(() => source.status().state === 'missing', 'missing again');
    expect(source.status().incidents).toMatchObject({ missing: 2 });
  });

  it('an expired nextToken mid-pagination restarts it without a duplicate', async () => {
    let expired = false;
    const f = await fake({
      groups: { [GROUP]: Array.from({ length: 8 }, (_, i) => ev(2_000 + i, `e${i}`)) },
      fault: (req) => {
        if (!expired && typeof req.body['nextToken'] === 'string') {
          expired = true;
          return faults.expiredToken();
        }
        return undefined;
      },
    });
    const { source, lines } = follow(f);
    await until(() => lines.length === 8, 'all eight');
    await new Promise((r) => setTimeout(r, 80));
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: 8 }, (_, i) => `e${i}`));
    expect(source.status().incidents).toMatchObject({ pagination_restarted: 1 });
  });

  it('stopped and reopened at its position: every event once, the ones put while stopped included', async () => {
    const events = [ev(2_000, 'a'), ev(2_001, 'b')];
    const f = await fake({ groups: { [GROUP]: events } });
    const first = follow(f);
    await until(() => first.lines.length === 2, 'a and b');
    await first.source.stop();
    const position = first.source.position();
    expect(position).toMatchObject({ group: GROUP, newestMs: 2_001 });
    events.push(ev(2_001, 'b2 (same millisecond)'), ev(2_002, 'c'));
    const second = follow(f, {}, position);
    await until(() => second.lines.length === 2, 'b2 and c');
    await new Promise((r) => setTimeout(r, 80));
    expect([...first.lines, ...second.lines].map((l) => l.text)).toEqual(['a', 'b', 'b2 (same millisecond)', 'c']);
  });

  it('pollers of several groups share one bucket: the requests of all take from it', async () => {
    const other = '/ecs/alakai-worker';
    const f = await fake({ groups: { [GROUP]: [ev(2_000, 'core')], [other]: [ev(2_000, 'worker')] } });
    const limiter = new CountingBucket();
    const a = follow(f, { limiter });
    const b = follow(f, { limiter, logGroup: other });
    await until(() => a.lines.length === 1 && b.lines.length === 1, 'both');
    await a.source.stop();
    await b.source.stop();
    expect(limiter.taken).toBe(filterCalls(f).length);
    expect(new Set(filterCalls(f).map((r) => r.body['logGroupName']))).toEqual(new Set([GROUP, other]));
  });
});

describe('CloudWatchPollSource bound and keys', () => {
  it('moves its bound to (poll time − overlap), forgets keys before it, and shortens the overlap past maxSeenKeys', async () => {
    let now = 100_000;
    const events = Array.from({ length: 150 }, (_, i) => ev(95_000 + i, `e${i}`));
    const f = await fake({ groups: { [GROUP]: events }, pageSize: 1000 });
    const { source, lines } = follow(f, { startMs: 90_000, overlapMs: 10_000, maxSeenKeys: 100, clock: () => now });
    await until(() => lines.length === 150, 'all 150');
    // 150 keys > 100: the bound moved up to keep the newest half, counted; nothing went out twice.
    expect(source.status().incidents).toMatchObject({ overlap_shortened: 1 });
    let p = source.position();
    expect((p['keys'] as string[]).length).toBeLessThanOrEqual(100);
    expect(p['fromMs']).toBeGreaterThan(95_000);
    // Time passes: the bound follows the poll time, and the keys before it are forgotten.
    now = 200_000;
    const calls = filterCalls(f).length;
    await until(() => filterCalls(f).length >= calls + 2, 'two more polls');
    p = source.position();
    expect(p['fromMs']).toBe(190_000);
    expect(p['keys']).toEqual([]);
    expect(filterCalls(f).at(-1)!.body['startTime']).toBe(190_000);
    expect(lines).toHaveLength(150);
    // A quiet group is not behind: the lag counts from the last poll that succeeded.
    expect(source.status().lagMs).toBe(0);
  });
});

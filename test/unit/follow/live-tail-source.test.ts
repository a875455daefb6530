/**
 * Live Tail refused (an endpoint that does not serve StartLiveTail answers 400
 * UnknownOperationException, as IAM would answer AccessDeniedException): the pollers carry the
 * groups alone and the status says why. What moto serves is test/e2e/follow-cloudwatch.test.ts.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FollowLine } from '../../../src/follow/follow-types.js';
import { CloudWatchPollSource } from '../../../src/follow/sources/cloudwatch-poll-source.js';
import { LiveTailSource } from '../../../src/follow/sources/live-tail-source.js';
import { TokenBucket } from '../../../src/backfill/sources/token-bucket.js';
import { startFakeCloudWatch, type FakeCloudWatch } from '../backfill/fake-cloudwatch.js';

const servers: FakeCloudWatch[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

describe('LiveTailSource', () => {
  it('falls back to polling when StartLiveTail is refused, and says why', async () => {
    const group = '/ecs/alakai-core';
    const events = [{ timestamp: 2_000, message: 'polled\n' }];
    const fake = await startFakeCloudWatch({ groups: { [group]: events } });
    servers.push(fake);
    // As cloudWatchClient makes it for an endpoint of one's own: no `stream-` host prefix.
    const client = new CloudWatchLogsClient({
      endpoint: fake.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      disableHostPrefix: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake-secret' },
    });
    const limiter = new TokenBucket(1e9, 1e9);
    const poller = new CloudWatchPollSource({
      client,
      logGroup: group,
      limiter,
      pollIntervalMs: 20,
      slowPollIntervalMs: 20,
      contentDedupe: true,
      startMs: 1_000,
      clock: () => 10_000,
    });
    const source = new LiveTailSource({
      client,
      pollers: [poller],
      limiter,
      reconnectMinMs: 10,
      reconnectMaxMs: 60_000,
    });
    const lines: FollowLine[] = [];
    source.start((batch) => lines.push(...batch));
    const deadline = Date.now() + 5000;
    while (
      (lines.length < 1 || source.status().incidents?.['live_tail_refused'] === undefined) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 5));
    await source.stop();
    expect(lines.map((l) => l.text)).toEqual(['polled']);
    const status = source.status();
    expect(status.incidents).toMatchObject({ live_tail_refused: 1 });
    expect(status.lastError).toMatch(/^Live Tail refused, polling instead: UnknownOperationException/);
    // Refused once, it is not asked again at once (the next try is reconnectMaxMs later).
    expect(fake.requests.filter((r) => r.target.endsWith('StartLiveTail'))).toHaveLength(1);
    expect(status.state).toBe('ended');
    expect(() => new LiveTailSource({ client, pollers: [], limiter })).toThrow(/1 to 10 log groups/);
  });
});

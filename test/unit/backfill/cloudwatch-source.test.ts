/**
 * CloudWatch Logs → spans through the REAL @aws-sdk/client-cloudwatch-logs client against an
 * in-process endpoint speaking the CloudWatch Logs JSON protocol (fake-cloudwatch.ts): small pages,
 * empty pages with a nextToken, throttling storms, 5xx, expired tokens mid-pagination, a missing log
 * group. The reference for "nothing lost, nothing twice" is the backfill of the same lines from
 * files: the output must be byte-identical.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOG_GROUPS } from '../../../src/contract/summary-event.js';
import { newCounters } from '../../../src/backfill/report.js';
import { runBackfill } from '../../../src/backfill/run-backfill.js';
import { OtlpFileSink } from '../../../src/backfill/sinks/otlp-file-sink.js';
import { openCloudWatchFilterSource } from '../../../src/backfill/sources/cloudwatch-filter-source.js';
import { TokenBucket } from '../../../src/backfill/sources/token-bucket.js';
import { componentLines, COMPONENT_ORDER } from '../../fixtures/backfill/generate-fixtures.js';
import { backfillFiles, writtenFixture, type WrittenFixture } from './backfill-fixture.js';
import { faults, startFakeCloudWatch, type FakeCloudWatch, type FakeCloudWatchOptions } from './fake-cloudwatch.js';

let fx: WrittenFixture;
let reference: string;
let range: { startMs: number; endMs: number };
const servers: FakeCloudWatch[] = [];

beforeAll(async () => {
  fx = await writtenFixture({ seed: 3, executions: 30 });
  reference = (await backfillFiles(fx.ndjson)).outputText;
  const times = fx.set.lines.map((l) => l.timeMs);
  range = { startMs: Math.min(...times), endMs: Math.max(...times) + 1 };
});

afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

function groups(): FakeCloudWatchOptions['groups'] {
  const out: FakeCloudWatchOptions['groups'] = {};
  for (const c of COMPONENT_ORDER)
    out[LOG_GROUPS[c]] = componentLines(fx.set, c).map((l) => ({ timestamp: l.timeMs, message: l.text + '\n' }));
  return out;
}

/** No waiting in tests: the retry sleeps and the token bucket run on a fake clock. */
function instantBucket(): TokenBucket {
  return new TokenBucket(1e9, 1e9);
}

async function backfillCloudWatch(fake: FakeCloudWatch, logGroups = Object.values(LOG_GROUPS), windowMs = 10 * 60_000) {
  const out = join(await mkdtemp(join(tmpdir(), 'alakai-cw-')), 'spans.otlp.jsonl');
  const counters = newCounters();
  const client = fake.client();
  const report = await runBackfill({
    sources: [
      {
        id: 'cloudwatch',
        open: async (resumeAt) =>
          openCloudWatchFilterSource(
            {
              client,
              logGroups,
              ...range,
              windowMs,
              limiter: instantBucket(),
              counters,
              retry: { maxAttempts: 12, baseDelayMs: 1, maxDelayMs: 2, sleep: async () => {} },
            },
            resumeAt,
          ),
      },
    ],
    openSink: (resume) => OtlpFileSink.open(out, resume),
    outputName: out,
    fingerprint: 'cw',
    counters,
  });
  return { report, output: await readFile(out, 'utf8') };
}

async function fake(options: Partial<FakeCloudWatchOptions> = {}): Promise<FakeCloudWatch> {
  const server = await startFakeCloudWatch({ groups: groups(), ...options });
  servers.push(server);
  return server;
}

function filterCalls(server: FakeCloudWatch) {
  return server.requests.filter((r) => r.target === 'Logs_20140328.FilterLogEvents');
}

describe('CloudWatch Logs source (real SDK client, fake endpoint)', () => {
  it('pages through every group, one group per call, and matches the file backfill byte for byte', async () => {
    const server = await fake({ pageSize: 7 });
    const { report, output } = await backfillCloudWatch(server);
    expect(output).toBe(reference);
    expect(report.linesRead).toBe(fx.set.lines.length);
    expect(report.rejected).toEqual(fx.set.rejected);
    const calls = filterCalls(server);
    expect(calls.some((c) => typeof c.body['nextToken'] === 'string')).toBe(true);
    for (const c of calls) expect(typeof c.body['logGroupName']).toBe('string');
  });

  it('keeps paging through empty pages that still carry a nextToken', async () => {
    const server = await fake({ pageSize: 5, emptyPagesBetween: 2 });
    const { output } = await backfillCloudWatch(server);
    expect(output).toBe(reference);
  });

  it('rides out a throttling storm and 5xx errors with retries, losing nothing', async () => {
    const server = await fake({
      pageSize: 9,
      // The first 10 calls are throttled, then every third call fails with 500 or 503.
      fault: (r) =>
        r.index < 10
          ? faults.throttling()
          : r.index % 3 === 0
            ? faults.serverError(r.index % 2 ? 500 : 503)
            : undefined,
    });
    const { report, output } = await backfillCloudWatch(server);
    expect(output).toBe(reference);
    expect(report.retries['throttled']).toBeGreaterThanOrEqual(10);
    expect(
      (report.retries['http_500'] ?? 0) + (report.retries['http_503'] ?? 0) + (report.retries['network'] ?? 0),
    ).toBeGreaterThan(0);
  });

  it('restarts a page from the last timestamp when a nextToken expires, without duplicates', async () => {
    let expired = 0;
    const server = await fake({
      pageSize: 4,
      fault: (r) => {
        if (typeof r.body['nextToken'] !== 'string' || r.index % 4 !== 1 || expired >= 10) return undefined;
        expired++;
        return faults.expiredToken();
      },
    });
    const { report, output } = await backfillCloudWatch(server);
    expect(expired).toBeGreaterThan(0);
    expect(report.retries['expired_next_token']).toBe(expired);
    expect(output).toBe(reference);
    expect(report.duplicateEvents).toBe(fx.set.duplicateSummaryLines);
  });

  it('reports a log group that does not exist and reads the others', async () => {
    const server = await fake({ pageSize: 50 });
    const { report } = await backfillCloudWatch(server, [...Object.values(LOG_GROUPS), '/ecs/alakai-missing']);
    expect(report.missingLogGroups).toEqual(['/ecs/alakai-missing']);
    expect(report.linesRead).toBe(fx.set.lines.length);
  });

  it('reads a group larger than the 10,000-event page cap through full pages', async () => {
    const big = await writtenFixture({ seed: 4, executions: 4200, spacingMs: 400, noise: false });
    // All three services' lines in one group: one execution is about five lines.
    const lines = big.set.lines;
    expect(lines.length).toBeGreaterThan(20_000);
    const server = await startFakeCloudWatch({
      groups: { [LOG_GROUPS.core]: lines.map((l) => ({ timestamp: l.timeMs, message: l.text })) },
      pageSize: 10_000,
    });
    servers.push(server);
    const saved = range;
    range = { startMs: lines[0]!.timeMs, endMs: lines[lines.length - 1]!.timeMs + 1 };
    try {
      // One fetch window for the whole range, so pages fill up to the cap.
      const { report } = await backfillCloudWatch(server, [LOG_GROUPS.core], range.endMs - range.startMs);
      expect(report.linesRead).toBe(lines.length);
      expect(report.spansWritten).toBe(lines.filter((l) => l.text.includes('"msg":"[event] ')).length);
      expect(filterCalls(server).length).toBe(Math.ceil(lines.length / 10_000));
    } finally {
      range = saved;
    }
  });

  it('spends no call on empty stretches: one pagination per group over the whole range', async () => {
    const server = await fake({ pageSize: 1000 });
    const saved = range;
    // The same lines inside a range two days wider on each side, read in 10-minute windows.
    range = { startMs: saved.startMs - 2 * 86_400_000, endMs: saved.endMs + 2 * 86_400_000 };
    try {
      const { report, output } = await backfillCloudWatch(server);
      expect(output).toBe(reference);
      expect(report.linesRead).toBe(fx.set.lines.length);
      // Every group's lines fit one page: one call per group, where per-window calls made ~1,700.
      const calls = filterCalls(server);
      expect(calls).toHaveLength(3);
      for (const c of calls) {
        expect(c.body['startTime']).toBe(range.startMs);
        expect(c.body['endTime']).toBe(range.endMs - 1);
      }
    } finally {
      range = saved;
    }
  });

  it('fails with the cause once retries run out (a storm that never ends)', async () => {
    const server = await fake({ fault: () => faults.throttling() });
    await expect(backfillCloudWatch(server)).rejects.toThrow(/gave up after 12 attempts \(throttled\)/);
  });
});

describe('token bucket (FilterLogEvents: 5 requests a second per account and region)', () => {
  it('lets a burst of 5 through, then spaces requests 200 ms apart on its clock', async () => {
    let now = 0;
    const waits: number[] = [];
    const bucket = new TokenBucket(
      5,
      5,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );
    for (let i = 0; i < 15; i++) await bucket.take();
    // 15 requests at 5/s with a burst of 5: 10 had to wait, 2 s of (fake) time in all.
    expect(waits).toHaveLength(10);
    expect(now).toBe(2000);
  });
});

describe('Logs Insights source (trace --insights)', () => {
  it('splits a window whose answer hits the 10,000-row cap, so every line of the execution arrives once', async () => {
    const traceId = '3f2c8a1e-9b4d-4c6e-8f7a-1d2e3c4b5a69';
    const start = Date.parse('2026-05-05T12:00:00.000Z');
    // 25,000 step-level lines of one execution over ~7 minutes, split over two groups, plus other traffic.
    const mine = Array.from({ length: 25_000 }, (_, i) => ({
      timestamp: start + i * 17,
      message: JSON.stringify({ level: 30, time: start + i * 17, trace_id: traceId, msg: `step ${i}` }),
    }));
    const other = Array.from({ length: 500 }, (_, i) => ({
      timestamp: start + i * 50,
      message: JSON.stringify({ level: 30, trace_id: '00000000-0000-4000-8000-00000000000a', msg: 'other' }),
    }));
    const server = await startFakeCloudWatch({
      groups: {
        [LOG_GROUPS.core]: [...mine.filter((_, i) => i % 2 === 0), ...other],
        [LOG_GROUPS.worker]: mine.filter((_, i) => i % 2 === 1),
      },
    });
    servers.push(server);
    const counters = newCounters();
    const { openInsightsSource } = await import('../../../src/backfill/sources/cloudwatch-insights-source.js');
    const source = openInsightsSource({
      client: server.client(),
      logGroups: [LOG_GROUPS.core, LOG_GROUPS.worker],
      startMs: start,
      endMs: start + 25_000 * 17 + 1000,
      traceId,
      counters,
      pollMs: 0,
      sleep: async () => {},
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} },
    });
    const texts: string[] = [];
    for (let b = await source.next(); b; b = await source.next()) for (const r of b.records) texts.push(r.text!);
    expect(texts).toHaveLength(25_000);
    expect(new Set(texts).size).toBe(25_000);
    expect(counters.retries['insights_window_split']).toBeGreaterThan(0);
    expect(counters.rejected['insights_row_cap']).toBeUndefined();
    const starts = server.requests.filter((r) => r.target === 'Logs_20140328.StartQuery');
    expect(starts[0]!.body['queryString']).toContain(`filter trace_id = "${traceId}"`);
    expect(
      starts.every((r) => Array.isArray(r.body['logGroupNames']) && (r.body['logGroupNames'] as string[]).length === 2),
    ).toBe(true);
  });
});

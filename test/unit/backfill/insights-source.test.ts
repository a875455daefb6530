/**
 * The Logs Insights bulk source through the REAL @aws-sdk/client-cloudwatch-logs client against the
 * in-process endpoint (fake-cloudwatch.ts + fake-logs-insights.ts) that enforces the row limit,
 * the 50-group limit and the account's concurrent-query quota. The reference for "nothing lost,
 * nothing twice" is the backfill of the same lines from files: the output must be byte-identical.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOG_GROUPS } from '../../../src/contract/summary-event.js';
import { newCounters, type BackfillCounters } from '../../../src/backfill/report.js';
import { runBackfill } from '../../../src/backfill/run-backfill.js';
import { OtlpFileSink } from '../../../src/backfill/sinks/otlp-file-sink.js';
import {
  openInsightsRangeSource,
  type InsightsRangeOptions,
} from '../../../src/backfill/sources/cloudwatch-insights-range-source.js';
import { parseInsightsTimestamp } from '../../../src/backfill/sources/insights-query.js';
import { gridWindows, splitWindow } from '../../../src/backfill/sources/insights-windows.js';
import { componentLines, COMPONENT_ORDER } from '../../fixtures/backfill/generate-fixtures.js';
import { backfillFiles, writtenFixture, type WrittenFixture } from './backfill-fixture.js';
import { startFakeCloudWatch, type FakeCloudWatch, type FakeCloudWatchOptions } from './fake-cloudwatch.js';

const DAY = 86_400_000;
let fx: WrittenFixture;
let reference: string;
let dataRange: { startMs: number; endMs: number };
const servers: FakeCloudWatch[] = [];

beforeAll(async () => {
  fx = await writtenFixture({ seed: 3, executions: 30 });
  reference = (await backfillFiles(fx.ndjson)).outputText;
  const times = fx.set.lines.map((l) => l.timeMs);
  dataRange = { startMs: Math.min(...times), endMs: Math.max(...times) + 1 };
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

async function fake(options: Partial<FakeCloudWatchOptions> = {}): Promise<FakeCloudWatch> {
  const server = await startFakeCloudWatch({ groups: groups(), ...options });
  servers.push(server);
  return server;
}

/** No real waiting: polls and retries sleep on nothing. */
const QUICK = {
  pollMs: 1,
  maxPollMs: 1,
  sleep: async () => {},
  retry: { maxAttempts: 30, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} },
};

type SourceExtras = Partial<Omit<InsightsRangeOptions, 'client' | 'counters'>>;

async function backfillInsights(
  server: FakeCloudWatch,
  range: { startMs: number; endMs: number },
  extras: SourceExtras = {},
  run: { out?: string; checkpointPath?: string; counters?: BackfillCounters } = {},
) {
  const out = run.out ?? join(await mkdtemp(join(tmpdir(), 'alakai-insights-')), 'spans.otlp.jsonl');
  const counters = run.counters ?? newCounters();
  const client = server.client();
  const report = await runBackfill({
    sources: [
      {
        id: 'insights',
        open: (resumeAt) =>
          Promise.resolve(
            openInsightsRangeSource(
              { client, logGroups: Object.values(LOG_GROUPS), ...range, counters, ...QUICK, ...extras },
              resumeAt,
            ),
          ),
      },
    ],
    openSink: (resume) => OtlpFileSink.open(out, resume),
    outputName: out,
    fingerprint: 'insights',
    counters,
    ...(run.checkpointPath ? { checkpointPath: run.checkpointPath } : {}),
  });
  return { report, output: await readFile(out, 'utf8'), out };
}

describe('Logs Insights bulk source (real SDK client, fake endpoint)', () => {
  it('reads a sparse 30-day range in one query per day, all log groups at once, equal to the file backfill', async () => {
    const server = await fake();
    const range = { startMs: dataRange.startMs - 15 * DAY, endMs: dataRange.endMs + 15 * DAY };
    const { report, output } = await backfillInsights(server, range);
    expect(output).toBe(reference);
    expect(report.linesRead).toBe(fx.set.lines.length);
    expect(report.rejected).toEqual(fx.set.rejected);
    const started = server.insights.started;
    // 30 days on a one-day grid: 31 windows (the edges are partial days), one query each.
    expect(started.length).toBe(gridWindows(range.startMs, range.endMs, DAY).length);
    expect(started.length).toBeLessThanOrEqual(32);
    for (const q of started) expect(q.logGroupNames).toEqual(Object.values(LOG_GROUPS));
    const first = server.requests.find((r) => r.target === 'Logs_20140328.StartQuery')!;
    expect(first.body['queryString']).toBe(
      'fields @timestamp, @message, @log, @logStream | sort @timestamp asc | limit 10000',
    );
    expect(server.requests.some((r) => r.target === 'Logs_20140328.FilterLogEvents')).toBe(false);
  });

  it('splits a window that returns the row limit and queries its pieces again, losing nothing', async () => {
    // One window holds everything; a limit of 40 rows forces it (and some pieces) to split.
    const server = await fake();
    const counters = newCounters();
    const { output } = await backfillInsights(server, dataRange, { rowLimit: 40, windowMs: 30 * DAY }, { counters });
    expect(output).toBe(reference);
    expect(counters.retries['insights_window_split']).toBeGreaterThan(0);
    expect(counters.rejected['insights_row_cap']).toBeUndefined();
    // Every answer the fake gave stayed under the limit asked for.
    for (const q of server.insights.started) expect(q.limit).toBe(40);
  });

  it('keeps at most --max-concurrent-queries running, under the account quota', async () => {
    // Queries stay "Running" for 3 polls, so windows overlap; the fake's quota is 4.
    const server = await fake({ insights: { maxConcurrentQueries: 4, runningPolls: 3 } });
    const range = { startMs: dataRange.startMs - 3 * DAY, endMs: dataRange.endMs + 3 * DAY };
    const bounded = await backfillInsights(server, range, { windowMs: DAY / 4, maxConcurrentQueries: 3 });
    expect(bounded.output).toBe(reference);
    expect(server.insights.maxRunning).toBe(3);
    expect(server.insights.refusedOverQuota).toBe(0);
  });

  it('rides out LimitExceededException when other users hold the quota', async () => {
    const server = await fake({ insights: { maxConcurrentQueries: 2, runningPolls: 3 } });
    const range = { startMs: dataRange.startMs - 3 * DAY, endMs: dataRange.endMs + 3 * DAY };
    const { report, output } = await backfillInsights(server, range, { windowMs: DAY / 4, maxConcurrentQueries: 6 });
    expect(output).toBe(reference);
    expect(server.insights.refusedOverQuota).toBeGreaterThan(0);
    expect(report.retries['limit_exceeded']).toBe(server.insights.refusedOverQuota);
    expect(server.insights.maxRunning).toBe(2);
  });

  it('reports a missing log group and reads the others', async () => {
    const server = await fake();
    const counters = newCounters();
    const source = openInsightsRangeSource({
      client: server.client(),
      logGroups: [...Object.values(LOG_GROUPS), '/ecs/alakai-missing'],
      ...dataRange,
      counters,
      ...QUICK,
    });
    let lines = 0;
    for (let b = await source.next(); b; b = await source.next()) lines += b.records.length;
    await source.close();
    expect(counters.missingLogGroups).toEqual(['/ecs/alakai-missing']);
    expect(lines).toBe(fx.set.lines.length);
  });

  it('stops the running queries (StopQuery) when aborted, and the pending read fails', async () => {
    // Queries never complete on their own.
    const server = await fake({ insights: { runningPolls: 1e9 } });
    const abort = new AbortController();
    const source = openInsightsRangeSource({
      client: server.client(),
      logGroups: Object.values(LOG_GROUPS),
      startMs: dataRange.startMs - 10 * DAY,
      endMs: dataRange.endMs,
      counters: newCounters(),
      maxConcurrentQueries: 4,
      signal: abort.signal,
      ...QUICK,
      // Real (tiny) waits, so the abort lands while the polls go on.
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    const pending = source.next();
    while (server.insights.started.length < 4) await new Promise((r) => setTimeout(r, 5));
    abort.abort();
    await expect(pending).rejects.toThrow(/interrupted/);
    await source.close();
    expect(server.insights.started).toHaveLength(4);
    expect([...server.insights.stopped].sort()).toEqual(server.insights.started.map((q) => q.queryId).sort());
  });

  it('checkpoints every finished window: a resumed run reads again at most the window it was in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alakai-insights-ckpt-'));
    const checkpointPath = join(dir, 'run.ckpt');
    const out = join(dir, 'spans.otlp.jsonl');
    const range = { startMs: dataRange.startMs - 20 * DAY, endMs: dataRange.endMs + 5 * DAY };
    const all = gridWindows(range.startMs, range.endMs, DAY);
    const server = await fake();
    // The first run is interrupted after 12 windows.
    const abort = new AbortController();
    let done = 0;
    await expect(
      backfillInsights(
        server,
        range,
        {
          signal: abort.signal,
          maxConcurrentQueries: 1,
          onProgress: (p) => {
            done = p.windowsDone;
            if (done === 12) abort.abort();
          },
        },
        { out, checkpointPath },
      ),
    ).rejects.toThrow(/interrupted/);
    const firstRun = server.insights.started.length;
    const resumed = await backfillInsights(server, range, {}, { out, checkpointPath });
    expect(resumed.output).toBe(reference);
    const again = server.insights.started.slice(firstRun);
    // Windows 13 onwards, plus at most window 12 read again.
    expect(again.length).toBeLessThanOrEqual(all.length - 12 + 1);
    expect(again[0]!.startTime * 1000).toBeGreaterThanOrEqual(Math.floor(all[11]!.startMs / 1000) * 1000);
  });
});

describe('Insights windows and rows', () => {
  it('cuts a range on a fixed grid, so a resumed run cuts the same windows', () => {
    const start = Date.parse('2026-05-01T10:30:00.250Z');
    const end = Date.parse('2026-05-04T00:00:00.000Z');
    const w = gridWindows(start, end, DAY);
    expect(w.map((x) => new Date(x.startMs).toISOString())).toEqual([
      '2026-05-01T10:30:00.250Z',
      '2026-05-02T00:00:00.000Z',
      '2026-05-03T00:00:00.000Z',
    ]);
    expect(gridWindows(w[1]!.startMs, end, DAY)).toEqual(w.slice(1));
  });

  it('splits by the matched count, on whole seconds, never below one second', () => {
    const w = { startMs: 0, endMs: 100_000 };
    const pieces = splitWindow(w, 50_000, 10_000)!;
    expect(pieces).toHaveLength(10);
    expect(pieces[0]!.startMs).toBe(0);
    expect(pieces.at(-1)!.endMs).toBe(100_000);
    for (let i = 1; i < pieces.length; i++) expect(pieces[i]!.startMs).toBe(pieces[i - 1]!.endMs);
    for (const p of pieces) expect(p.endMs % 1000).toBe(0);
    expect(splitWindow(w, undefined, 10_000)).toHaveLength(2);
    expect(splitWindow({ startMs: 5000, endMs: 6000 }, 20_000, 10_000)).toBeUndefined();
    expect(splitWindow({ startMs: 0, endMs: 3000 }, 1e9, 10_000)).toHaveLength(3);
  });

  it('reads @timestamp as Logs Insights prints it (UTC), as epoch ms (moto) and as ISO', () => {
    expect(parseInsightsTimestamp('2026-05-05 12:00:00.123')).toBe(Date.parse('2026-05-05T12:00:00.123Z'));
    expect(parseInsightsTimestamp('1777982400123')).toBe(1777982400123);
    expect(parseInsightsTimestamp('2026-05-05T12:00:00.123Z')).toBe(Date.parse('2026-05-05T12:00:00.123Z'));
    expect(parseInsightsTimestamp('yesterday')).toBeNaN();
    expect(parseInsightsTimestamp(undefined)).toBeNaN();
  });
});

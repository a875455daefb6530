/**
 * CloudWatch range reading (issue 13, part 1), in-process through the real
 * @aws-sdk/client-cloudwatch-logs client against the in-process CloudWatch Logs endpoint of the
 * unit tests (test/unit/backfill/fake-cloudwatch.ts, its Logs Insights in fake-logs-insights.ts):
 *  - the time to backfill an EMPTY 30-day range, with Logs Insights (default settings: one-day
 *    windows, 10 queries at once, the real 500 ms → 5 s poll backoff; the fake completes a query
 *    on its second poll) and with FilterLogEvents (the real 5 TPS token bucket);
 *  - rows per second through the Insights source at realistic result sizes (`limit` 10,000 = one
 *    GetQueryResults page, and 100,000 = ten pages), polls not waited for, so the figure is the
 *    client's own cost: HTTP + JSON of the SDK, row validation, ordering.
 * The fake answers at once, so real AWS adds query latency on top; the call counts are what AWS
 * would see.
 */
import { LOG_GROUPS } from '../../src/contract/summary-event.js';
import { newCounters } from '../../src/backfill/report.js';
import { runBackfill } from '../../src/backfill/run-backfill.js';
import { NullSink } from '../../src/backfill/sinks/span-sink.js';
import { openCloudWatchFilterSource } from '../../src/backfill/sources/cloudwatch-filter-source.js';
import { openInsightsRangeSource } from '../../src/backfill/sources/cloudwatch-insights-range-source.js';
import { TokenBucket } from '../../src/backfill/sources/token-bucket.js';
import type { LogSource } from '../../src/backfill/source-types.js';
import { startFakeCloudWatch, type FakeLogEvent } from '../../test/unit/backfill/fake-cloudwatch.js';
import { generateFixtureSet } from '../../test/fixtures/backfill/generate-fixtures.js';

const DAY = 86_400_000;

export interface EmptyRangeFigure {
  reader: 'insights' | 'filter';
  seconds: number;
  calls: number;
}

export interface RowsFigure {
  rowLimit: number;
  rows: number;
  queries: number;
  seconds: number;
  rowsPerS: number;
}

export interface CloudWatchRangeResult {
  emptyRange: EmptyRangeFigure[];
  /** What the per-window FilterLogEvents reading cost before: calls and seconds at 5 TPS. */
  perWindowFilterBefore: { calls: number; seconds: number };
  rowsThroughInsights: RowsFigure[];
}

async function drive(open: () => LogSource): Promise<number> {
  const counters = newCounters();
  await runBackfill({
    sources: [{ id: 'bench', open: () => Promise.resolve(open()) }],
    openSink: () => Promise.resolve(new NullSink()),
    outputName: null,
    fingerprint: 'bench',
    counters,
    dryRun: true,
  });
  return counters.linesRead;
}

async function emptyRange(): Promise<EmptyRangeFigure[]> {
  const groups = Object.fromEntries(Object.values(LOG_GROUPS).map((g) => [g, [] as FakeLogEvent[]]));
  const endMs = Date.parse('2026-11-30T00:00:00.000Z');
  const range = { startMs: endMs - 30 * DAY, endMs };
  const out: EmptyRangeFigure[] = [];
  for (const reader of ['insights', 'filter'] as const) {
    const server = await startFakeCloudWatch({ groups });
    const client = server.client();
    const counters = newCounters();
    const started = performance.now();
    await drive(() =>
      reader === 'insights'
        ? openInsightsRangeSource({ client, logGroups: Object.keys(groups), ...range, counters })
        : openCloudWatchFilterSource({
            client,
            logGroups: Object.keys(groups),
            ...range,
            limiter: new TokenBucket(5),
            counters,
          }),
    );
    out.push({ reader, seconds: (performance.now() - started) / 1000, calls: server.requests.length });
    await server.close();
  }
  return out;
}

async function rowsThroughInsights(quick: boolean): Promise<RowsFigure[]> {
  // Realistic lines: the fixture generator's summary events and step lines, all in one group.
  const set = generateFixtureSet({ seed: 13, executions: quick ? 4000 : 40_000, spacingMs: 100, noise: false });
  const events = set.lines.map((l) => ({ timestamp: l.timeMs, message: l.text }));
  const startMs = Math.min(...events.map((e) => e.timestamp));
  const endMs = Math.max(...events.map((e) => e.timestamp)) + 1;
  const out: RowsFigure[] = [];
  for (const rowLimit of [10_000, 100_000]) {
    const server = await startFakeCloudWatch({ groups: { [LOG_GROUPS.core]: [...events] } });
    const source = openInsightsRangeSource({
      client: server.client(),
      logGroups: [LOG_GROUPS.core],
      startMs,
      endMs,
      counters: newCounters(),
      rowLimit,
      // Windows that hold about `rowLimit` rows each, as a split would leave them.
      windowMs: Math.max(1000, Math.floor(((endMs - startMs) * rowLimit * 0.8) / events.length / 1000) * 1000),
      pollMs: 1,
      maxPollMs: 1,
      sleep: () => Promise.resolve(),
    });
    const started = performance.now();
    let rows = 0;
    for (let b = await source.next(); b; b = await source.next()) rows += b.records.length;
    const seconds = (performance.now() - started) / 1000;
    await source.close();
    out.push({ rowLimit, rows, queries: server.insights.started.length, seconds, rowsPerS: rows / seconds });
    await server.close();
  }
  return out;
}

export async function runCloudWatchRange(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<CloudWatchRangeResult> {
  options.log('cloudwatch range: an empty 30-day range through Logs Insights and FilterLogEvents…');
  const empty = await emptyRange();
  options.log('cloudwatch range: rows per second through the Logs Insights source…');
  const rows = await rowsThroughInsights(options.quick);
  const calls = 30 * 144 * Object.keys(LOG_GROUPS).length;
  return { emptyRange: empty, perWindowFilterBefore: { calls, seconds: calls / 5 }, rowsThroughInsights: rows };
}

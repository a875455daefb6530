/**
 * The CloudWatch engine through the REAL @aws-sdk/client-cloudwatch-logs client against the
 * in-process Logs Insights endpoint (test/unit/backfill/fake-cloudwatch.ts), which answers each
 * StartQuery by running the local engine over the events of that query's window and serving the
 * rows over the real protocol, cut at the StartQuery `limit` as the service cuts them. moto
 * ignores `filter` and `stats` (test/e2e/query-cloudwatch.test.ts covers what it answers), so
 * splitting and merging are proved here: with a row cap of a few rows, the split-and-merged answer
 * must equal the local engine's unsplit answer over the whole range.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sendWithAwsRetry } from '../../../src/backfill/sources/aws-errors.js';
import { SourceUserError } from '../../../src/backfill/source-types.js';
import { LOG_GROUPS } from '../../../src/contract/summary-event.js';
import { cloudWatchEngine, type CloudWatchEngineOptions } from '../../../src/query/cloudwatch-engine.js';
import {
  eventFromLine,
  fillQuery,
  GUIDE_QUERIES,
  parseQuery,
  QueryError,
  runQuery,
  type QueryResult,
} from '../../../src/query/index.js';
import type { FakeWindowEvent } from '../backfill/fake-logs-insights.js';
import { startFakeCloudWatch, type FakeCloudWatch, type FakeCloudWatchOptions } from '../backfill/fake-cloudwatch.js';
import { legacyLines } from './legacy-lines.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const lines = legacyLines(400, T0 + 1000, 17_000);
const range = { startMs: T0, endMs: T0 + 2 * 3_600_000 };
const servers: FakeCloudWatch[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

function groups(): FakeCloudWatchOptions['groups'] {
  const out: FakeCloudWatchOptions['groups'] = {};
  for (const g of Object.values(LOG_GROUPS)) out[g] = [];
  for (const l of lines) out[l.logGroup]!.push({ timestamp: l.timeMs, message: l.text });
  return out;
}

/** The local engine over a window's events, as the service would answer (values as text). */
function localAnswer(queryString: string, events: readonly FakeWindowEvent[]) {
  const r = runQuery(
    parseQuery(queryString),
    events.map((e) => eventFromLine(e.message, e.timestamp, e.logGroup)),
  );
  return {
    rows: r.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]))),
    recordsMatched: r.statistics.recordsMatched,
    recordsScanned: r.statistics.recordsScanned,
    bytesScanned: events.reduce((n, e) => n + Buffer.byteLength(e.message), 0),
  };
}

/** The unsplit reference: the local engine over every event of the range, in the fake's order. */
function reference(queryString: string): QueryResult {
  const events = Object.entries(groups())
    .flatMap(([logGroup, evs]) => evs.map((e) => ({ ...e, logGroup })))
    .filter((e) => e.timestamp >= range.startMs && e.timestamp < range.endMs)
    .sort((a, b) => a.timestamp - b.timestamp);
  return runQuery(
    parseQuery(queryString),
    events.map((e) => eventFromLine(e.message, e.timestamp, e.logGroup)),
  );
}

const asText = (rows: QueryResult['rows']) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])));

async function engine(extra: Partial<CloudWatchEngineOptions> = {}, fakeOptions: Partial<FakeCloudWatchOptions> = {}) {
  const server = await startFakeCloudWatch({
    groups: groups(),
    insights: { answer: localAnswer, runningPolls: 2 },
    ...fakeOptions,
  });
  servers.push(server);
  const progress: string[] = [];
  const e = cloudWatchEngine({
    client: server.client(),
    logGroups: Object.values(LOG_GROUPS),
    send: sendWithAwsRetry({ maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} }, {}),
    sleep: async () => {},
    pollMs: 1,
    maxPollMs: 1,
    onProgress: (l) => progress.push(l),
    ...extra,
  });
  return { server, engine: e, progress };
}

describe('the CloudWatch engine against the Logs Insights protocol', () => {
  it('answers every guide query by name as the local engine does over the same lines, with statistics', async () => {
    const { engine: e, server } = await engine();
    for (const q of GUIDE_QUERIES) {
      const text = fillQuery(q, { event: 'slack.implementation', repo: 'acme/api', user: 'U111' });
      const got = await e.run(text, range);
      const want = reference(text);
      expect(asText(got.rows), q.name).toEqual(asText(want.rows));
      expect(got.rows.length, q.name).toBeGreaterThan(0);
      expect(got.columns, q.name).toEqual(want.columns);
      expect(got.statistics.recordsMatched, q.name).toBe(want.statistics.recordsMatched);
      expect(got.statistics.recordsScanned, q.name).toBe(want.statistics.recordsScanned);
      expect(got.statistics.bytesScanned, q.name).toBeGreaterThan(0);
      expect(got.truncated, q.name).toBe(want.truncated);
      expect(got.windows, q.name).toEqual({ queries: 1, split: 0 });
      expect(got.rows.every((r) => !Object.hasOwn(r, '@ptr'))).toBe(true);
    }
    // One query a name, over the three groups, in whole seconds (end inclusive).
    expect(server.insights.started).toHaveLength(GUIDE_QUERIES.length);
    for (const s of server.insights.started) {
      expect(s.logGroupNames).toEqual(Object.values(LOG_GROUPS));
      expect(s).toMatchObject({ startTime: range.startMs / 1000, endTime: range.endMs / 1000 - 1, limit: 10_000 });
    }
  });

  it.each([
    ['newest first', 'fields @timestamp, trace_id, event | filter outcome = "error" | sort @timestamp desc | limit 40'],
    ['oldest first', 'fields @timestamp, trace_id | sort @timestamp asc | limit 55'],
    [
      'by another column',
      'fields trace_id, duration_ms | filter context.component = "worker" | sort duration_ms desc | limit 30',
    ],
    [
      'additive stats by fields and bin',
      'stats count() as n, sum(duration_ms) as total, min(duration_ms) as lo, max(duration_ms) as hi by context.component, bin(7m) | sort hi desc',
    ],
    [
      'additive stats without sort',
      'filter outcome = "error" | stats count(*), count(error.type) by event, final_status, bin(5m)',
    ],
  ])('splits a window that reaches the row cap and merges it exactly: %s', async (_name, text) => {
    const { engine: e, server, progress } = await engine({ rowCap: 6, maxQueries: 400 });
    const got = await e.run(text, range);
    const want = reference(text);
    expect(asText(got.rows)).toEqual(asText(want.rows));
    expect(got.truncated).toBe(want.truncated);
    expect(got.truncatedBecause).toBeUndefined();
    expect(got.windows!.split).toBeGreaterThan(0);
    expect(server.insights.started.length).toBe(got.windows!.queries);
    expect(server.insights.started.every((s) => s.limit === 6)).toBe(true);
    // The statistics are the whole range's, as one unsplit query reports them.
    expect(got.statistics.recordsMatched).toBe(want.statistics.recordsMatched);
    expect(progress.some((l) => /reached the 6-row cap: querying its halves/.test(l))).toBe(true);
    // The first query covers the range; the windows it did not split further never overlap.
    const started = server.insights.started;
    expect([started[0]!.startTime, started[0]!.endTime]).toEqual([range.startMs / 1000, range.endMs / 1000 - 1]);
    const leaves = started
      .filter((w) => !started.some((s) => s !== w && s.startTime >= w.startTime && s.endTime <= w.endTime))
      .sort((a, b) => a.startTime - b.startTime);
    for (let i = 1; i < leaves.length; i++) expect(leaves[i]!.startTime).toBeGreaterThan(leaves[i - 1]!.endTime);
  });

  it('stops early for sort @timestamp desc once the newest windows hold the limit', async () => {
    const { engine: e, server } = await engine({ rowCap: 6 });
    const text = 'fields @timestamp, trace_id | sort @timestamp desc | limit 8';
    const got = await e.run(text, range);
    expect(asText(got.rows)).toEqual(asText(reference(text).rows));
    // No query reached into the first half of the range.
    const mid = (range.startMs + range.endMs) / 2000;
    expect(server.insights.started.slice(1).every((s) => s.startTime >= mid)).toBe(true);
    expect(got.truncated).toBe(true);
  });

  it.each([
    ['pct', 'stats pct(duration_ms, 90) as p90 by context.component, bin(1m)', /pct\(\) over windows/],
    ['avg', 'stats avg(duration_ms) by trace_id', /avg\(\) over windows/],
    ['count_distinct', 'stats count_distinct(trace_id) as n by bin(1m)', /count_distinct\(\)/],
    ['no sort', 'fields trace_id | filter outcome = "success"', /without sort/],
    ['limit before sort after stats', 'stats count() as n by trace_id | limit 200 | sort n desc', /limit before sort/],
  ])('says plainly that a full answer it cannot merge is truncated: %s', async (_name, text, reason) => {
    const { engine: e, server } = await engine({ rowCap: 6 });
    const r = await e.run(text, range);
    expect(r.truncated).toBe(true);
    expect(r.truncatedBecause).toMatch(reason);
    expect(r.rows).toHaveLength(6);
    expect(server.insights.started).toHaveLength(1);
  });

  it('bounds the splitting: a second that still fills the cap, or the query budget, is said truncated', async () => {
    const { engine: e } = await engine({ rowCap: 6, maxQueries: 5 });
    const r = await e.run('fields @timestamp | sort @timestamp asc | limit 500', range);
    expect(r.truncated).toBe(true);
    expect(r.truncatedBecause).toMatch(/queries this run may use/);
    expect(r.windows!.queries).toBeLessThanOrEqual(5);
    // One second with more events than the cap.
    const burst = Array.from({ length: 9 }, (_, i) => ({ timestamp: T0 + 5000 + i, message: `{"n":${i}}` }));
    const server = await startFakeCloudWatch({
      groups: { g: burst },
      insights: { answer: localAnswer },
    });
    servers.push(server);
    const one = cloudWatchEngine({
      client: server.client(),
      logGroups: ['g'],
      send: sendWithAwsRetry({ maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} }, {}),
      sleep: async () => {},
      rowCap: 6,
    });
    const b = await one.run('fields n | sort @timestamp asc | limit 100', { startMs: T0, endMs: T0 + 60_000 });
    expect(b.truncated).toBe(true);
    expect(b.truncatedBecause).toMatch(/one second \(2026-11-20T09:00:05Z\) holds more than 6 rows/);
    expect(b.rows).toHaveLength(6);
  });

  it('polls until Complete, says a long wait, retries throttling, and maps refusals to one line', async () => {
    let throttled = 0;
    const { engine: e, progress } = await engine(
      { progressAfterMs: 0, progressEveryMs: 0 },
      {
        insights: { answer: localAnswer, runningPolls: 3 },
        fault: (req) =>
          req.target.endsWith('.StartQuery') && throttled++ < 2
            ? { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } }
            : req.target.endsWith('.StartQuery') && String(req.body['queryString']).includes('BROKEN')
              ? { status: 400, body: { __type: 'MalformedQueryException', message: 'unexpected symbol\nat 1' } }
              : undefined,
      },
    );
    const r = await e.run('stats count() as n', range);
    expect(r.rows).toEqual([{ n: String(lines.length) }]);
    expect(progress.filter((l) => /still Running after/.test(l)).length).toBeGreaterThanOrEqual(1);
    const refused = await e.run('fields BROKEN', range).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(QueryError);
    expect((refused as Error).message).toBe('CloudWatch refused the query: unexpected symbol at 1');
    const missing = cloudWatchEngine({
      client: servers[0]!.client(),
      logGroups: ['/no/such/group'],
      send: (call) => call(),
      sleep: async () => {},
    });
    await expect(missing.run('fields @message', range)).rejects.toBeInstanceOf(SourceUserError);
  });
});

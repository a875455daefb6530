/**
 * Logs Insights for the in-process CloudWatch Logs endpoint (fake-cloudwatch.ts), with the limits
 * the backfill has to live with, as the API reference states them:
 *  - StartQuery: ≤ 50 log groups (InvalidParameterException), every group must exist
 *    (ResourceNotFoundException), `limit` ≤ 100,000, times in epoch seconds, both inclusive;
 *    a query without `limit` returns ≤ 10,000 rows;
 *  - the account's concurrent-query quota (LimitExceededException beyond it);
 *  - GetQueryResults: "Scheduled"/"Running" until the query is done, then ≤ 10,000 rows a call
 *    (`maxItems`), the rest by nextToken, rows as `[{field, value}]` with `@ptr`, `@timestamp` as
 *    `YYYY-MM-DD HH:MM:SS.mmm`, `@log` as `account:group`, and `statistics.recordsMatched`;
 *  - StopQuery cancels a query that still runs.
 * By default it honours `fields`, `sort @timestamp asc|desc`, `limit N` and the one
 * `filter trace_id = "…"` form the `trace` command sends; everything else in a query is ignored
 * (as moto does). With `answer`, a test evaluates the whole query itself (the query tests run the
 * local engine over the window's events) and the fake serves that answer over the same protocol.
 */
import type { FakeLogEvent } from './fake-cloudwatch.js';

export interface FakeInsightsOptions {
  /** Concurrent queries the account allows (real: 100 in the current reference). */
  maxConcurrentQueries?: number;
  /** GetQueryResults polls that still answer "Running" before a query completes. */
  runningPolls?: number;
  /** Answers a query over the events of its window (all groups, time order) instead of the built-in subset. */
  answer?: (queryString: string, events: readonly FakeWindowEvent[]) => FakeAnswer;
}

export interface FakeWindowEvent extends FakeLogEvent {
  logGroup: string;
}

/** A query's answer: rows as column → text, and the statistics GetQueryResults reports. */
export interface FakeAnswer {
  rows: Record<string, string>[];
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned?: number;
}

export interface FakeInsightsLog {
  /** The most queries that were running at once. */
  maxRunning: number;
  started: { queryId: string; logGroupNames: string[]; startTime: number; endTime: number; limit: number }[];
  stopped: string[];
  /** StartQuery calls refused by the concurrency quota. */
  refusedOverQuota: number;
}

interface Query {
  status: 'Running' | 'Complete' | 'Cancelled';
  polls: number;
  rows: { field: string; value: string }[][];
  matched: number;
  scanned?: number;
  bytes?: number;
}

type Answer = { status: number; body: Record<string, unknown> };

const OPERATIONS = new Set(['StartQuery', 'GetQueryResults', 'StopQuery']);
const PAGE_MAX = 10_000;

function invalid(message: string): Answer {
  return { status: 400, body: { __type: 'InvalidParameterException', message } };
}

/** `2026-05-05 12:00:00.000`, as Logs Insights prints @timestamp. */
function insightsTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export function fakeLogsInsights(groups: Record<string, FakeLogEvent[]>, options: FakeInsightsOptions = {}) {
  const quota = options.maxConcurrentQueries ?? 100;
  const runningPolls = options.runningPolls ?? 1;
  const queries = new Map<string, Query>();
  const log: FakeInsightsLog = { maxRunning: 0, started: [], stopped: [], refusedOverQuota: 0 };
  const running = (): number => [...queries.values()].filter((q) => q.status === 'Running').length;

  function startQuery(body: Record<string, unknown>): Answer {
    const names = Array.isArray(body['logGroupNames']) ? (body['logGroupNames'] as unknown[]).map(String) : [];
    if (names.length === 0 || names.length > 50) return invalid('logGroupNames must hold 1 to 50 log groups');
    for (const n of names)
      if (!Object.hasOwn(groups, n))
        return { status: 400, body: { __type: 'ResourceNotFoundException', message: `Log group ${n} does not exist` } };
    const startS = Number(body['startTime']);
    const endS = Number(body['endTime']);
    if (!Number.isInteger(startS) || !Number.isInteger(endS) || startS > endS)
      return invalid('startTime and endTime must be epoch seconds, start ≤ end');
    const query = typeof body['queryString'] === 'string' ? body['queryString'] : '';
    const paramLimit = body['limit'] === undefined ? undefined : Number(body['limit']);
    if (paramLimit !== undefined && !(paramLimit >= 1 && paramLimit <= 100_000))
      return invalid('limit must be between 1 and 100000');
    if (running() >= quota) {
      log.refusedOverQuota++;
      return {
        status: 400,
        body: { __type: 'LimitExceededException', message: 'Account maximum query concurrency limit reached' },
      };
    }
    if (options.answer) return answered(names, startS, endS, query, paramLimit ?? 10_000);
    const queryLimit = /\|\s*limit\s+(\d+)/.exec(query)?.[1];
    const limit = Math.min(paramLimit ?? 10_000, queryLimit ? Number(queryLimit) : 10_000);
    const descending = /sort\s+@timestamp\s+desc/.test(query);
    const term = /filter trace_id = "([^"]*)"/.exec(query)?.[1];
    const fields = (/^\s*fields\s+([^|]+)/.exec(query)?.[1] ?? '@timestamp, @message').split(',').map((f) => f.trim());
    const fromMs = startS * 1000;
    const toMs = endS * 1000 + 999;
    const hits = names
      .flatMap((g) => groups[g]!.map((e) => ({ g, e })))
      .filter(
        ({ e }) => e.timestamp >= fromMs && e.timestamp <= toMs && (term === undefined || e.message.includes(term)),
      )
      .sort((a, b) => (descending ? b.e.timestamp - a.e.timestamp : a.e.timestamp - b.e.timestamp));
    const rows = hits.slice(0, limit).map(({ g, e }, i) => {
      const row: { field: string; value: string }[] = [];
      for (const f of fields) {
        if (f === '@timestamp') row.push({ field: f, value: insightsTime(e.timestamp) });
        else if (f === '@message') row.push({ field: f, value: e.message });
        else if (f === '@log') row.push({ field: f, value: `123456789012:${g}` });
        else if (f === '@logStream') row.push({ field: f, value: e.logStreamName ?? 'ecs/task/1' });
      }
      row.push({ field: '@ptr', value: `ptr-${queries.size + 1}-${i}` });
      return row;
    });
    const queryId = `q-${queries.size + 1}`;
    queries.set(queryId, { status: 'Running', polls: 0, rows, matched: hits.length });
    log.started.push({ queryId, logGroupNames: names, startTime: startS, endTime: endS, limit });
    log.maxRunning = Math.max(log.maxRunning, running());
    return { status: 200, body: { queryId } };
  }

  function answered(names: string[], startS: number, endS: number, query: string, limit: number): Answer {
    const events = names
      .flatMap((logGroup) => groups[logGroup]!.map((e) => ({ ...e, logGroup })))
      .filter((e) => e.timestamp >= startS * 1000 && e.timestamp <= endS * 1000 + 999)
      .sort((a, b) => a.timestamp - b.timestamp);
    const a = options.answer!(query, events);
    const queryId = `q-${queries.size + 1}`;
    const rows = a.rows
      .slice(0, limit)
      .map((r, i) => [
        ...Object.entries(r).map(([field, value]) => ({ field, value })),
        { field: '@ptr', value: `ptr-${queries.size + 1}-${i}` },
      ]);
    queries.set(queryId, {
      status: 'Running',
      polls: 0,
      rows,
      matched: a.recordsMatched,
      scanned: a.recordsScanned,
      bytes: a.bytesScanned ?? 0,
    });
    log.started.push({ queryId, logGroupNames: names, startTime: startS, endTime: endS, limit });
    log.maxRunning = Math.max(log.maxRunning, running());
    return { status: 200, body: { queryId } };
  }

  function getQueryResults(body: Record<string, unknown>): Answer {
    const q = queries.get(String(body['queryId']));
    if (!q) return { status: 400, body: { __type: 'ResourceNotFoundException', message: 'unknown query' } };
    if (q.status === 'Running' && q.polls++ < runningPolls)
      return { status: 200, body: { status: 'Running', results: [] } };
    if (q.status === 'Running') q.status = 'Complete';
    const pageSize = Math.min(PAGE_MAX, Number(body['maxItems'] ?? PAGE_MAX) || PAGE_MAX);
    const token = typeof body['nextToken'] === 'string' ? /^off-(\d+)$/.exec(body['nextToken']) : null;
    const offset = token ? Number(token[1]) : 0;
    const page = q.rows.slice(offset, offset + pageSize);
    const out: Record<string, unknown> = {
      status: q.status,
      results: q.status === 'Complete' ? page : [],
      statistics: { recordsMatched: q.matched, recordsScanned: q.scanned ?? q.matched, bytesScanned: q.bytes ?? 0 },
    };
    if (q.status === 'Complete' && offset + page.length < q.rows.length)
      out['nextToken'] = `off-${offset + page.length}`;
    return { status: 200, body: out };
  }

  function stopQuery(body: Record<string, unknown>): Answer {
    const id = String(body['queryId']);
    const q = queries.get(id);
    if (!q) return { status: 400, body: { __type: 'ResourceNotFoundException', message: 'unknown query' } };
    if (q.status !== 'Running') return { status: 200, body: { success: false } };
    q.status = 'Cancelled';
    log.stopped.push(id);
    return { status: 200, body: { success: true } };
  }

  return {
    log,
    handles: (operation: string): boolean => OPERATIONS.has(operation),
    handle(operation: string, body: Record<string, unknown>): Answer {
      if (operation === 'StartQuery') return startQuery(body);
      if (operation === 'GetQueryResults') return getQueryResults(body);
      return stopQuery(body);
    },
  };
}

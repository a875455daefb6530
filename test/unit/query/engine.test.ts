/** The local engine's semantics, one rule at a time, on events built in the test. */
import { describe, expect, it } from 'vitest';
import { eventFromLine, parseQuery, runQuery, QueryError } from '../../../src/query/index.js';

const line = (o: Record<string, unknown>): string => JSON.stringify({ time: '2026-01-01T00:00:00.000Z', ...o });
const run = (q: string, objs: Record<string, unknown>[]) =>
  runQuery(
    parseQuery(q),
    objs.map((o) => eventFromLine(line(o))),
  );
const refuse = (q: string): string => {
  try {
    run(q, [{}]);
  } catch (err) {
    expect(err).toBeInstanceOf(QueryError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error(`not refused: ${q}`);
};

describe('filter', () => {
  const evs = [{ n: 1, s: 'Alpha', c: { k: 'x' } }, { n: 20, s: 'beta' }, { n: '3', s: 'gamma-alpha' }, { s: 'none' }];
  const ids = (q: string) => run(`${q} | fields s`, evs).rows.map((r) => r['s']);
  it('compares numbers as numbers, also from numeric strings', () => {
    expect(ids('filter n > 2')).toEqual(['beta', 'gamma-alpha']);
    expect(ids('filter n = 3')).toEqual(['gamma-alpha']);
  });
  it('a missing field matches no comparison, not even != ; not (…) negates', () => {
    expect(ids('filter n != 1')).toEqual(['beta', 'gamma-alpha']);
    expect(ids('filter not (n = 1)')).toEqual(['beta', 'gamma-alpha', 'none']);
    expect(ids('filter not ispresent(n)')).toEqual(['none']);
  });
  it('like "text" is a case-sensitive substring; regexes are RE2, (?i) for case', () => {
    expect(ids('filter s like "alpha"')).toEqual(['gamma-alpha']);
    expect(ids('filter s like /(?i)^alpha/')).toEqual(['Alpha']);
    expect(ids('filter s =~ /a$/')).toEqual(['Alpha', 'beta', 'gamma-alpha']);
    expect(ids('filter s not like /a/')).toEqual(['none']);
  });
  it('in, not in, dotted fields, and/or precedence', () => {
    expect(ids('filter s in ["beta", "none"]')).toEqual(['beta', 'none']);
    expect(ids('filter s not in ["beta", "none"]')).toEqual(['Alpha', 'gamma-alpha']);
    expect(ids('filter c.k = "x"')).toEqual(['Alpha']);
    expect(ids('filter n = 1 or n = 20 and s = "zzz"')).toEqual(['Alpha']);
  });
});

describe('sort, limit, stats', () => {
  it('sorts as the sort page says: non-numbers first, chunked natural order, missing last', () => {
    const evs = ['0#', '111A', '5A', '!:', 'a12345hfh', 'A9876fghj', '@', '2', '01', undefined].map((v) =>
      v === undefined ? {} : { v },
    );
    const r = run('fields v | sort v asc', evs).rows.map((x) => x['v']);
    expect(r).toEqual(['!:', '0#', '5A', '111A', '@', 'A9876fghj', 'a12345hfh', '01', '2', undefined]);
    const d = run('fields v | sort v desc', evs).rows.map((x) => x['v']);
    expect(d).toEqual(['2', '01', 'a12345hfh', 'A9876fghj', '@', '111A', '5A', '0#', '!:', undefined]);
  });
  it('limit keeps the top N of a sort over any number of events and says it truncated', () => {
    const evs = Array.from({ length: 5000 }, (_, i) => ({ d: (i * 7919) % 5000 }));
    const r = run('fields d | sort d desc | limit 3', evs);
    expect(r.rows.map((x) => x['d'])).toEqual([4999, 4998, 4997]);
    expect(r.truncated).toBe(true);
    expect(r.statistics).toEqual({ recordsScanned: 5000, recordsMatched: 5000 });
  });
  it('pct is nearest rank; count(field) counts present fields; bin rounds down', () => {
    const evs = Array.from({ length: 10 }, (_, i) => ({
      d: i + 1,
      g: i % 2 ? 'odd' : 'even',
      ...(i < 3 ? { x: 1 } : {}),
    }));
    const r = run(
      'stats pct(d, 90) as p90, pct(d, 50) as p50, count() as n, count(x) as nx, count_distinct(g), sum(d), avg(d), min(d), max(d)',
      evs,
    );
    expect({ ...r.rows[0] }).toEqual({
      p90: 9,
      p50: 5,
      n: 10,
      nx: 3,
      'count_distinct(g)': 2,
      'sum(d)': 55,
      'avg(d)': 5.5,
      'min(d)': 1,
      'max(d)': 10,
    });
    const times = ['2026-01-01T00:04:59.999Z', '2026-01-01T00:05:00.000Z', '2026-01-01T00:09:00.000Z'];
    const b = runQuery(
      parseQuery('stats count() as n by bin(5m)'),
      times.map((time) => eventFromLine(JSON.stringify({ time }))),
    );
    expect(b.rows.map((x) => ({ ...x }))).toEqual([
      { 'bin(5m)': '2026-01-01 00:00:00.000', n: 1 },
      { 'bin(5m)': '2026-01-01 00:05:00.000', n: 2 },
    ]);
  });
  it('@timestamp is the CloudWatch timestamp when the input carries one, else the line time', () => {
    const e = eventFromLine(line({}), Date.UTC(2026, 5, 1));
    expect(runQuery(parseQuery('fields @timestamp'), [e]).rows[0]!['@timestamp']).toBe('2026-06-01 00:00:00.000');
    expect(run('fields @timestamp, @log', [{ context: { component: 'worker' } }]).rows[0]).toEqual({
      '@timestamp': '2026-01-01 00:00:00.000',
      '@log': '/ecs/alakai-worker-implementation',
    });
  });
});

describe('refusals name the construct', () => {
  it.each([
    ['parse @message "a * b" as x', 'parse command'],
    ['filter duration_ms / 1000 > 5', 'arithmetic operator "/"'],
    ['filter strlen(msg) > 5', 'strlen()'],
    ['stats median(d)', 'median()'],
    ['fields @logStream', '@logStream'],
    ['limit 10001', 'limit must be from 1 to 10000'],
    ['sort d', 'say asc or desc'],
    ['stats count() by bin(1mo)', 'bin('],
    ['sort d desc | filter x = 1', 'filter after sort'],
    ['filter x like /(/', 'invalid regular expression'],
    ['filter x', 'alone is not a condition'],
    ['filter a ==', 'syntax error at line 1'],
  ])('%s', (q, what) => {
    expect(refuse(q)).toContain(what);
  });
});

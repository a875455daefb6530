/**
 * window-merge.ts on its own: which queries merge window by window (and why the others do not), and
 * the merge of hand-written window answers against answers worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { fillQuery, GUIDE_QUERIES, parseQuery } from '../../../src/query/index.js';
import { mergePlan, newestFirst, WindowMerger, type MergePlan } from '../../../src/query/window-merge.js';

const plan = (text: string): MergePlan => mergePlan(parseQuery(text));
type Mergeable = MergePlan & { kind: 'events' | 'sorted' | 'groups' };
const merger = (text: string): WindowMerger => new WindowMerger(plan(text) as Mergeable);

describe('mergePlan', () => {
  it('the guide queries: rows by @timestamp or by a carried column merge, percentiles do not', () => {
    const kinds = Object.fromEntries(GUIDE_QUERIES.map((q) => [q.name, plan(fillQuery(q)).kind]));
    expect(kinds).toEqual({
      errors: 'events',
      'errors --event': 'events',
      slow: 'sorted',
      repo: 'events',
      'slack-user': 'events',
      slots: 'events',
      percentiles: 'none',
    });
    expect(plan(fillQuery(GUIDE_QUERIES[0]!))).toEqual({ kind: 'events', descending: true, limit: 100 });
    expect(plan(fillQuery(GUIDE_QUERIES.find((q) => q.name === 'slow')!))).toEqual({
      kind: 'sorted',
      keys: [{ column: 'duration_ms', descending: true }],
      limit: 50,
    });
    expect(newestFirst(plan(fillQuery(GUIDE_QUERIES[0]!)))).toBe(true);
  });

  it('additive stats by fields and bin(), with a sort on their columns', () => {
    expect(plan('stats count() as n, sum(d), min(d) as lo, max(d) by a.b, bin(5m) | sort n desc')).toEqual({
      kind: 'groups',
      keyColumns: ['a.b', 'bin(5m)'],
      aggregates: [
        { column: 'n', op: 'count' },
        { column: 'sum(d)', op: 'sum' },
        { column: 'lo', op: 'min' },
        { column: 'max(d)', op: 'max' },
      ],
      sort: [{ column: 'n', descending: true }],
      limit: 10_000,
    });
    expect(plan('fields x | sort @timestamp asc').kind).toBe('events');
    expect(plan('fields x | sort @timestamp asc')).toMatchObject({ limit: 10_000, descending: false });
    expect(plan('sort @timestamp desc | limit 50000')).toMatchObject({ kind: 'events', limit: 50_000 });
    expect(plan('stats count() as n by e | sort n desc | limit 20000')).toMatchObject({
      kind: 'groups',
      limit: 20_000,
    });
  });

  it.each([
    ['fields a | filter b = 1', /without sort/],
    ['fields a | limit 5 | sort @timestamp desc', /limit before sort/],
    ['fields a | sort b desc', /do not carry the sort field b/],
    ['fields a as c | sort a desc', /do not carry the sort field a/],
    ['sort @timestamp desc | filter a = 1', /filter or second sort/],
    ['stats pct(d, 90) by e', /pct\(\) over windows/],
    ['stats avg(d) by e', /avg\(\)/],
    ['stats count_distinct(d)', /count_distinct\(\)/],
    ['stats count() as n by e | filter n > 3', /filter after stats/],
    ['stats count() as n by e | limit 3 | sort n desc', /limit before sort after stats/],
    ['stats count() as n by e | sort m desc', /sort on m/],
    ['stats count() by e | stats count()', /second stats/],
    ['parse @message "* x" as y | sort @timestamp desc', /parse command is not known/],
    ['sort @timestamp desc | limit 100001', /limit must be from 1 to 100000/],
  ])('%s does not merge', (text, reason) => {
    const p = plan(text);
    expect(p.kind).toBe('none');
    expect((p as { reason: string }).reason).toMatch(reason);
  });
});

describe('WindowMerger', () => {
  it('rows by @timestamp: windows in the order given, cut to the limit, enough() once full', () => {
    const m = merger('fields t | sort @timestamp desc | limit 3');
    m.add([{ t: '9' }, { t: '8' }]);
    expect(m.enough()).toBe(false);
    m.add([{ t: '5' }, { t: '4' }]);
    expect(m.enough()).toBe(true);
    expect(m.result()).toEqual([{ t: '9' }, { t: '8' }, { t: '5' }]);
    expect(m.overflow).toBe(true);
  });

  it('rows by a column: the top N of the windows in natural order (numbers after text, missing last)', () => {
    const m = merger('fields id, d | sort d desc | limit 4');
    m.add([{ id: 'a', d: '900' }, { id: 'b', d: '30' }, { id: 'x' }]);
    m.add([
      { id: 'c', d: '1000' },
      { id: 'd', d: 'n/a' },
      { id: 'e', d: '31' },
    ]);
    expect(m.result().map((r) => r['id'])).toEqual(['c', 'a', 'e', 'b']);
  });

  it('groups: counts and sums add, min and max combine, a bin cut by a window edge is one group', () => {
    const m = merger('stats count() as n, sum(d) as s, min(d) as lo, max(d) as hi by c, bin(1h) | sort n desc');
    const h = '2026-01-01 10:00:00.000';
    m.add([
      { c: 'worker', 'bin(1h)': h, n: '2', s: '10.5', lo: '3', hi: '7.5' },
      { 'bin(1h)': h, n: '1' },
    ]);
    m.add([
      { c: 'worker', 'bin(1h)': h, n: '3', s: '4', lo: '1', hi: '2' },
      { c: 'core', 'bin(1h)': h, n: '1', s: '5', lo: '5', hi: '5' },
      { 'bin(1h)': h, n: '2' },
    ]);
    expect(m.result()).toEqual([
      { c: 'worker', 'bin(1h)': h, n: '5', s: '14.5', lo: '1', hi: '7.5' },
      { 'bin(1h)': h, n: '3' },
      { c: 'core', 'bin(1h)': h, n: '1', s: '5', lo: '5', hi: '5' },
    ]);
  });

  it('groups without sort keep first-seen order; a key named __proto__ is a key like any other', () => {
    const m = merger('stats count() as n by __proto__');
    m.add([{ ['__proto__']: 'a', n: '1' }, { n: '4' }]);
    m.add([{ n: '1' }]);
    const out = m.result();
    expect(out.map((r) => [Object.hasOwn(r, '__proto__') ? r['__proto__'] : '-', r['n']])).toEqual([
      ['a', '1'],
      ['-', '5'],
    ]);
    expect(({} as Record<string, unknown>)['n']).toBeUndefined();
  });
});

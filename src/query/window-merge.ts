/**
 * Whether a Logs Insights query may be answered window by window, and how the windows' rows merge
 * into the answer one query over the whole range would give. The CloudWatch engine
 * (cloudwatch-engine.ts) splits a window whose result came back cut off at the row cap; this
 * module alone decides when that is sound, so the rule lives in one place.
 *
 * Facts it relies on:
 *  - A query returns at most its `limit` rows, 10,000 without one; `limit` goes up to 100,000
 *    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html). "With a
 *    regular limit, the query scans all data in the time range and then returns the top N
 *    results" (same page): `sort … | limit N` over a window is that window's top N.
 *  - `stats` aggregates over the events of the window
 *    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Stats.html).
 *
 * What merges:
 *  - Rows of events (no `stats`) sorted by `@timestamp` first: windows do not overlap in time, so
 *    the answer is the windows' rows in time order (newest window first for `desc`), cut to N.
 *  - Rows of events sorted by other columns that the rows carry: the top N of the windows' top Ns,
 *    in the same natural order the sort page documents (natural-order.ts).
 *  - `stats` whose aggregates are all additive (count, sum, min, max) grouped `by` fields or
 *    `bin()`: per group, counts and sums add, min and max of the windows' values; then the query's
 *    `sort` and `limit` again. A bin cut by a window edge is the same group in both windows and adds up.
 * What does not, and is said truncated instead: no `sort` (the order of rows across windows is not
 * known), `pct`, `avg`, `count_distinct` and other functions (a window's value does not combine
 * into the whole's), `filter` after `stats` (a group's test in one window is not its test over
 * all), and commands the local grammar does not know.
 *
 * Only windows that came back whole are merged: the engine splits any window that filled the row
 * cap, so every group (or every row of a top N) of a merged window is there, and a `limit` after
 * `stats` cuts the merged, sorted groups as it would have cut the whole range's.
 */
import type { Command, Query } from './ast.js';
import { expressionText } from './aggregates.js';
import type { ResultRow } from './engine.js';
import { sortKeyCompare } from './natural-order.js';
import { TopK } from './top-k.js';
import { asNumber, type Value } from './values.js';

/** Rows a query returns when it has no `limit`. */
export const DEFAULT_QUERY_ROWS = 10_000;
/** The largest `limit` Logs Insights takes. */
export const MAX_QUERY_LIMIT = 100_000;
/** Groups a merge holds before it stops adding new ones and says so. */
export const MAX_MERGED_GROUPS = 100_000;

export interface SortKey {
  column: string;
  descending: boolean;
}

type AdditiveOp = 'count' | 'sum' | 'min' | 'max';

export type MergePlan =
  | { kind: 'events'; descending: boolean; limit: number }
  | { kind: 'sorted'; keys: SortKey[]; limit: number }
  | {
      kind: 'groups';
      keyColumns: string[];
      aggregates: { column: string; op: AdditiveOp }[];
      sort: SortKey[];
      limit: number;
    }
  | { kind: 'none'; reason: string; limit: number };

/** The rows the query asks for: its last `limit`, or Logs Insights' default. */
function wantedRows(query: Query): number {
  let n = DEFAULT_QUERY_ROWS;
  for (const c of query) if (c.kind === 'limit') n = c.text.length > 7 ? Number.POSITIVE_INFINITY : Number(c.text);
  return n;
}

/** The columns rows carry after the whole query: `fields` adds, `display` replaces (as engine.ts). */
function outputColumns(commands: readonly Command[]): Set<string> | undefined {
  let cols: Set<string> | undefined;
  for (const c of commands) {
    if (c.kind === 'fields') {
      cols ??= new Set();
      for (const item of c.items) if (item.expr.kind === 'field') cols.add(item.alias ?? item.expr.name);
    } else if (c.kind === 'display') cols = new Set(c.fields);
  }
  return cols;
}

const ADDITIVE: ReadonlySet<string> = new Set(['count', 'sum', 'min', 'max']);

/** How the windows of `query` merge; `kind: 'none'` says why they cannot. */
export function mergePlan(query: Query): MergePlan {
  const limit = wantedRows(query);
  const none = (reason: string): MergePlan => ({ kind: 'none', reason, limit });
  if (!(limit >= 1 && limit <= MAX_QUERY_LIMIT)) return none(`limit must be from 1 to ${MAX_QUERY_LIMIT}`);
  const unknown = query.find((c) => c.kind === 'unsupported');
  if (unknown) return none(`${unknown.what} is not known to merge`);
  const statsAt = query.findIndex((c) => c.kind === 'stats');
  if (statsAt >= 0) return groupsPlan(query, statsAt, limit, none);
  const sortAt = query.findIndex((c) => c.kind === 'sort');
  if (sortAt < 0) return none('without sort, the order of rows across windows is not known');
  const after = query.slice(sortAt + 1);
  if (query.slice(0, sortAt).some((c) => c.kind === 'limit'))
    return none('a limit before sort keeps rows that depend on the window');
  if (after.some((c) => c.kind === 'filter' || c.kind === 'sort'))
    return none('a filter or second sort after sort is not known to merge');
  const sort = query[sortAt] as Command & { kind: 'sort' };
  const keys = sort.keys.map((k) => ({ column: k.field, descending: k.direction === 'desc' }));
  if (keys[0]!.column === '@timestamp') return { kind: 'events', descending: keys[0]!.descending, limit };
  const cols = outputColumns(query) ?? new Set(['@timestamp', '@message']);
  const missing = keys.find((k) => !cols.has(k.column));
  if (missing) return none(`the rows do not carry the sort field ${missing.column.slice(0, 40)}`);
  return { kind: 'sorted', keys, limit };
}

function groupsPlan(query: Query, statsAt: number, limit: number, none: (r: string) => MergePlan): MergePlan {
  const stats = query[statsAt] as Command & { kind: 'stats' };
  const after = query.slice(statsAt + 1);
  for (const [i, c] of after.entries()) {
    if (c.kind === 'stats') return none('a second stats is not known to merge');
    // A limit last: merged from windows that each came back whole, then sorted and cut again.
    if (c.kind === 'limit' && i !== after.length - 1) return none('a limit before sort after stats');
    if (c.kind !== 'sort' && c.kind !== 'limit') return none(`${c.kind} after stats is not known to merge`);
  }
  if (after.filter((c) => c.kind === 'sort').length > 1) return none('a second sort after stats');
  const keyColumns: string[] = [];
  for (const { expr, alias } of stats.by) {
    if (expr.kind === 'field') keyColumns.push(alias ?? expr.name);
    else if (expr.kind === 'call' && expr.name === 'bin') keyColumns.push(alias ?? expressionText(expr));
    else return none(`stats … by ${expressionText(expr).slice(0, 40)} is not known to merge`);
  }
  const aggregates: { column: string; op: AdditiveOp }[] = [];
  for (const { expr, alias } of stats.aggregates) {
    const name = expr.kind === 'call' ? expr.name : expr.kind;
    if (!ADDITIVE.has(name))
      return none(
        `${name}() over windows does not combine into the value over the whole range (only count, sum, min and max do)`,
      );
    aggregates.push({ column: alias ?? expressionText(expr), op: name as AdditiveOp });
  }
  const sortCmd = after.find((c): c is Command & { kind: 'sort' } => c.kind === 'sort');
  const sort = (sortCmd?.keys ?? []).map((k) => ({ column: k.field, descending: k.direction === 'desc' }));
  const cols = new Set([...keyColumns, ...aggregates.map((a) => a.column)]);
  const missing = sort.find((k) => !cols.has(k.column));
  if (missing) return none(`sort on ${missing.column.slice(0, 40)}, which stats does not give`);
  return { kind: 'groups', keyColumns, aggregates, sort, limit };
}

/** The order in which the windows' answers go to a merger: newest first only for `sort @timestamp desc`. */
export function newestFirst(plan: MergePlan): boolean {
  return plan.kind === 'events' && plan.descending;
}

function cellOf(row: ResultRow, column: string): Value {
  return Object.hasOwn(row, column) ? row[column] : undefined;
}

function rowCompare(keys: readonly SortKey[]): (a: ResultRow, b: ResultRow) => number {
  return (a, b) => {
    for (const k of keys) {
      const d = sortKeyCompare(cellOf(a, k.column), cellOf(b, k.column), k.descending);
      if (d !== 0) return d;
    }
    return 0;
  };
}

interface Group {
  keys: ResultRow;
  values: (number | undefined)[];
  /** The window's own row while the group has been seen once: its text stays as the service wrote it. */
  only: ResultRow | undefined;
}

/**
 * Merges the windows' rows, fed in the plan's order (`newestFirst`): bounded memory (the top N, or
 * the groups), `enough()` once later windows can no longer change the answer.
 */
export class WindowMerger {
  private readonly rows: ResultRow[] = [];
  private readonly top: TopK<ResultRow> | undefined;
  private readonly groups = new Map<string, Group>();
  /** More rows or groups than the answer holds. */
  overflow = false;

  constructor(private readonly plan: MergePlan & { kind: 'events' | 'sorted' | 'groups' }) {
    if (plan.kind === 'sorted') this.top = new TopK(plan.limit, rowCompare(plan.keys));
  }

  add(windowRows: readonly ResultRow[]): void {
    const plan = this.plan;
    if (plan.kind === 'events') {
      for (const r of windowRows) {
        if (this.rows.length >= plan.limit) {
          this.overflow = true;
          return;
        }
        this.rows.push(r);
      }
    } else if (plan.kind === 'sorted') for (const r of windowRows) this.top!.push(r);
    else for (const r of windowRows) this.addGroupRow(plan, r);
  }

  private addGroupRow(plan: MergePlan & { kind: 'groups' }, row: ResultRow): void {
    const key = JSON.stringify(plan.keyColumns.map((c) => (Object.hasOwn(row, c) ? row[c] : ['absent'])));
    const values = plan.aggregates.map((a) => asNumber(cellOf(row, a.column)));
    const g = this.groups.get(key);
    if (!g) {
      if (this.groups.size >= MAX_MERGED_GROUPS) {
        this.overflow = true;
        return;
      }
      const keys = Object.create(null) as ResultRow;
      for (const c of plan.keyColumns) if (Object.hasOwn(row, c)) keys[c] = row[c]!;
      this.groups.set(key, { keys, values, only: row });
      return;
    }
    g.only = undefined;
    plan.aggregates.forEach((a, i) => {
      const x = g.values[i];
      const y = values[i];
      if (y === undefined) return;
      if (x === undefined) g.values[i] = y;
      else if (a.op === 'count' || a.op === 'sum') g.values[i] = x + y;
      else g.values[i] = a.op === 'min' ? Math.min(x, y) : Math.max(x, y);
    });
  }

  /** True when the windows still to come cannot change the answer (rows in time order, N reached). */
  enough(): boolean {
    return this.plan.kind === 'events' && this.rows.length >= this.plan.limit;
  }

  result(): ResultRow[] {
    const plan = this.plan;
    if (plan.kind === 'events') return this.rows.slice(0, plan.limit);
    if (plan.kind === 'sorted') return this.top!.result();
    let rows = [...this.groups.values()].map((g) => {
      if (g.only) return g.only;
      const row = Object.assign(Object.create(null), g.keys) as ResultRow;
      plan.aggregates.forEach((a, i) => {
        const v = g.values[i];
        if (v !== undefined) row[a.column] = String(v);
      });
      return row;
    });
    if (plan.sort.length > 0) rows = rows.sort(rowCompare(plan.sort));
    if (rows.length > plan.limit) {
      this.overflow = true;
      rows = rows.slice(0, plan.limit);
    }
    return rows;
  }
}

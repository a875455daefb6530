/**
 * The local engine: a parsed query run over log events, one at a time, with bounded memory.
 *
 * Shape: any `filter`, `fields` and `display`; then at most one `stats`, followed by `filter`,
 * `fields`, `display` on its rows; then `sort` and `limit` (with `fields` / `display`) at the end.
 * A `filter` or `stats` after `sort`/`limit`, or a second `stats`, is refused by name rather than
 * answered in an order CloudWatch might not use.
 *
 * Rows: at most `limit`, up to 10,000 here (Logs Insights' default; the service takes up to 100,000,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html), and a result says when
 * more events matched than it holds. Without fields, display or stats the columns are @timestamp
 * and @message, as the console shows them.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html
 */
import type { Aliased, Command, Query } from './ast.js';
import { compileAggregate, expressionText, type AccumulatorFactory, type Accumulator } from './aggregates.js';
import { binPeriodMs, binStart } from './bin.js';
import { eventField, formatTimestamp, SYSTEM_FIELDS, type QueryEvent } from './event.js';
import { sortKeyCompare } from './natural-order.js';
import { compileCondition, unsupported, type Condition, type Getter } from './predicate.js';
import { QueryError } from './query-error.js';
import { TopK } from './top-k.js';
import type { Value } from './values.js';

export const MAX_RESULT_ROWS = 10_000;
/** Groups one `stats` may hold before the query is refused. */
export const MAX_GROUPS = 100_000;

/** A result row: column → value; a column the record lacks is left out, as GetQueryResults does. */
export type ResultRow = Record<string, string | number | boolean | null>;

export interface QueryResult {
  columns: string[];
  rows: ResultRow[];
  /** bytesScanned: CloudWatch's figure (the local engine reads files, and leaves it out). */
  statistics: { recordsScanned: number; recordsMatched: number; bytesScanned?: number };
  /** More rows matched than `rows` holds (the limit, or CloudWatch's 10,000). */
  truncated: boolean;
  /** Why the answer may lack rows beyond what `limit` asks (the CloudWatch engine's row cap). */
  truncatedBecause?: string;
  /** The CloudWatch engine: how many queries answered, and how many windows were split. */
  windows?: { queries: number; split: number };
}

/** What a query engine does, local or CloudWatch: the seam `alakai-otel query` calls. */
export interface QueryRun {
  push(event: QueryEvent): void;
  finish(): QueryResult;
}

interface Rec {
  get: Getter;
}

type RowStage =
  | { kind: 'filter'; test: Condition }
  | { kind: 'columns'; names: string[]; replace: boolean; aliases: Map<string, string> };
type TailOp =
  | { kind: 'sort'; compare: (a: Rec, b: Rec) => number }
  | { kind: 'limit'; n: number }
  | { kind: 'columns'; names: string[]; replace: boolean; aliases: Map<string, string> };

interface StatsPlan {
  keys: { column: string; value: (get: Getter) => Value }[];
  aggregates: { column: string; factory: AccumulatorFactory }[];
}

function checkEventField(name: string): void {
  if (name.startsWith('@') && !(SYSTEM_FIELDS as readonly string[]).includes(name))
    throw new QueryError(`files carry no ${name.slice(0, 40)} (the local engine has ${SYSTEM_FIELDS.join(', ')})`);
}

function columnsStage(
  items: Aliased[],
  replace: boolean,
  checkField: (n: string) => void,
): RowStage & { kind: 'columns' } {
  const names: string[] = [];
  const aliases = new Map<string, string>();
  for (const { expr, alias } of items) {
    if (expr.kind !== 'field')
      throw unsupported(
        expr.kind === 'unsupported' ? expr.what : `${expressionText(expr)} in fields (only field names, with "as")`,
      );
    checkField(expr.name);
    names.push(alias ?? expr.name);
    if (alias !== undefined && alias !== expr.name) aliases.set(alias, expr.name);
  }
  return { kind: 'columns', names, replace, aliases };
}

function parseLimit(text: string): number {
  const n = text.length > 6 ? Number.POSITIVE_INFINITY : Number(text);
  if (!(n >= 1 && n <= MAX_RESULT_ROWS))
    throw new QueryError(
      `limit must be from 1 to ${MAX_RESULT_ROWS} for files (CloudWatch's default; on CloudWatch up to 100000)`,
    );
  return n;
}

function statsPlan(cmd: Command & { kind: 'stats' }): StatsPlan {
  const keys = cmd.by.map(({ expr, alias }): StatsPlan['keys'][number] => {
    if (expr.kind === 'field') {
      checkEventField(expr.name);
      const name = expr.name;
      return { column: alias ?? name, value: (get) => get(name) };
    }
    if (expr.kind === 'call' && expr.name === 'bin') {
      const arg = expr.args[0];
      if (expr.args.length !== 1 || arg?.kind !== 'duration') throw new QueryError('bin() takes a period: bin(5m)');
      const period = binPeriodMs(arg.text);
      return {
        column: alias ?? `bin(${arg.text})`,
        value: (get) => {
          const ts = get('@timestamp');
          return typeof ts === 'number' ? binStart(ts, period) : undefined;
        },
      };
    }
    throw unsupported(`${expressionText(expr)} in stats … by (fields and bin() only)`);
  });
  const aggregates = cmd.aggregates.map(({ expr, alias }) => ({
    column: alias ?? expressionText(expr),
    factory: compileAggregate(expr, checkEventField),
  }));
  return { keys, aggregates };
}

function sortCompare(keys: (Command & { kind: 'sort' })['keys']): (a: Rec, b: Rec) => number {
  for (const k of keys)
    if (k.direction === undefined)
      throw new QueryError(`sort ${k.field.slice(0, 40)}: say asc or desc (the sort page does not give a default)`);
  return (a, b) => {
    for (const k of keys) {
      const d = sortKeyCompare(a.get(k.field), b.get(k.field), k.direction === 'desc');
      if (d !== 0) return d;
    }
    return 0;
  };
}

function withAliases(get: Getter, aliases: Map<string, string>): Getter {
  if (aliases.size === 0) return get;
  return (name) => get(aliases.get(name) ?? name);
}

export interface CompiledQuery {
  start(): QueryRun;
}

/** Checks the whole query once (every refusal happens here, before any line is read). */
export function compileQuery(query: Query): CompiledQuery {
  const pre: RowStage[] = [];
  const post: RowStage[] = [];
  const tail: TailOp[] = [];
  let stats: StatsPlan | undefined;
  for (const cmd of query) {
    const inTail = tail.length > 0;
    const rowCheck = stats ? () => undefined : checkEventField;
    switch (cmd.kind) {
      case 'unsupported':
        throw unsupported(cmd.what);
      case 'filter':
        if (inTail) throw unsupported('filter after sort or limit');
        (stats ? post : pre).push({ kind: 'filter', test: compileCondition(cmd.expr, rowCheck) });
        break;
      case 'fields':
      case 'display': {
        const items =
          cmd.kind === 'fields'
            ? cmd.items
            : cmd.fields.map((name): Aliased => ({ expr: { kind: 'field', name }, alias: undefined }));
        const stage = columnsStage(items, cmd.kind === 'display', rowCheck);
        if (inTail) tail.push(stage);
        else (stats ? post : pre).push(stage);
        break;
      }
      case 'stats':
        if (stats) throw unsupported('a second stats command');
        if (inTail) throw unsupported('stats after sort or limit');
        stats = statsPlan(cmd);
        break;
      case 'sort':
        tail.push({ kind: 'sort', compare: sortCompare(cmd.keys) });
        break;
      case 'limit':
        tail.push({ kind: 'limit', n: parseLimit(cmd.text) });
        break;
    }
  }
  return { start: () => startRun(pre, stats, post, tail) };
}

function applyColumns(columns: string[] | undefined, stage: RowStage & { kind: 'columns' }): string[] {
  return stage.replace || !columns
    ? [...stage.names]
    : [...columns, ...stage.names.filter((n) => !columns.includes(n))];
}

function startRun(pre: RowStage[], stats: StatsPlan | undefined, post: RowStage[], tail: TailOp[]): QueryRun {
  let scanned = 0;
  let matched = 0;
  let columns: string[] | undefined;
  let aliases = new Map<string, string>();
  for (const s of pre)
    if (s.kind === 'columns') {
      columns = applyColumns(columns, s);
      for (const [k, v] of s.aliases) aliases.set(k, v);
    }
  const tests = pre.filter((s): s is RowStage & { kind: 'filter' } => s.kind === 'filter').map((s) => s.test);
  const groups = new Map<string, { keys: Value[]; accs: Accumulator[] }>();
  // Events go straight into a bounded collector: the first tail op decides which.
  const first = tail[0];
  const second = tail[1];
  const cap =
    first?.kind === 'limit' ? first.n : first?.kind === 'sort' && second?.kind === 'limit' ? second.n : MAX_RESULT_ROWS;
  const sorted = !stats && first?.kind === 'sort' ? new TopK<Rec>(cap, first.compare) : undefined;
  const kept: Rec[] = [];
  const eventAliases = aliases;

  function push(event: QueryEvent): void {
    scanned++;
    const base: Getter = (name) => eventField(event, name);
    const get = withAliases(base, eventAliases);
    for (const t of tests) if (!t(get)) return;
    matched++;
    if (stats) {
      const keys = stats.keys.map((k) => k.value(get));
      const key = JSON.stringify(keys.map((v) => (v === undefined ? ['u'] : [typeof v, v])));
      let g = groups.get(key);
      if (!g) {
        if (groups.size >= MAX_GROUPS)
          throw new QueryError(`stats made more than ${MAX_GROUPS} groups: group by fewer or coarser fields`);
        g = { keys, accs: stats.aggregates.map((a) => a.factory()) };
        groups.set(key, g);
      }
      for (const a of g.accs) a.add(get);
    } else if (sorted) sorted.push({ get });
    else if (kept.length < cap + 1) kept.push({ get });
  }

  function finish(): QueryResult {
    let recs: Rec[];
    let timeColumns = new Set<string>(['@timestamp']);
    let truncated = false;
    let tailOps = tail;
    if (stats) {
      columns = [...stats.keys.map((k) => k.column), ...stats.aggregates.map((a) => a.column)];
      aliases = new Map();
      timeColumns = new Set(stats.keys.filter((k) => k.column.startsWith('bin(')).map((k) => k.column));
      recs = [...groups.values()].map((g) => {
        const row = new Map<string, Value>();
        stats.keys.forEach((k, i) => row.set(k.column, g.keys[i]));
        stats.aggregates.forEach((a, i) => row.set(a.column, g.accs[i]!.result()));
        return { get: (name: string) => row.get(name) };
      });
      for (const s of post) {
        if (s.kind === 'filter') recs = recs.filter((r) => s.test(r.get));
        else {
          columns = applyColumns(columns, s);
          for (const [k, v] of s.aliases) aliases.set(k, v);
        }
      }
      if (aliases.size > 0) {
        const a = aliases;
        recs = recs.map((r) => ({ get: withAliases(r.get, a) }));
      }
    } else if (sorted) {
      recs = sorted.result();
      truncated = matched > recs.length;
      tailOps = tail.slice(second?.kind === 'limit' ? 2 : 1);
    } else {
      recs = kept;
      if (first?.kind === 'limit') tailOps = tail.slice(1);
      truncated = recs.length > cap;
      recs = recs.slice(0, cap);
    }
    for (const op of tailOps) {
      if (op.kind === 'sort') recs = [...recs].sort(op.compare);
      else if (op.kind === 'limit') {
        if (recs.length > op.n) truncated = true;
        recs = recs.slice(0, op.n);
      } else columns = applyColumns(columns, op);
    }
    if (recs.length > MAX_RESULT_ROWS) {
      truncated = true;
      recs = recs.slice(0, MAX_RESULT_ROWS);
    }
    const cols = columns ?? ['@timestamp', '@message'];
    const tailAliases = new Map<string, string>();
    for (const op of tail) if (op.kind === 'columns') for (const [k, v] of op.aliases) tailAliases.set(k, v);
    const rows = recs.map((r) => {
      const get = withAliases(r.get, tailAliases);
      const row = Object.create(null) as ResultRow;
      for (const c of cols) {
        const v = get(c);
        if (v === undefined) continue;
        row[c] = timeColumns.has(c) && typeof v === 'number' ? formatTimestamp(v) : v;
      }
      return row;
    });
    return { columns: cols, rows, statistics: { recordsScanned: scanned, recordsMatched: matched }, truncated };
  }

  return { push, finish };
}

/** Parses, checks and runs a query over events held in memory (tests, small inputs). */
export function runQuery(query: Query, events: Iterable<QueryEvent>): QueryResult {
  const run = compileQuery(query).start();
  for (const e of events) run.push(e);
  return run.finish();
}

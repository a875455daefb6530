/**
 * The `stats` functions the local engine computes, per group. The aggregation functions page:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html
 * (section "Aggregation functions in the stats command").
 *
 * - count() / count(*): the events; count(field): the events that have the field.
 * - count_distinct(field): distinct values. CloudWatch documents it as approximate for fields of
 *   very high cardinality; here it is exact.
 * - sum, avg, min, max: over the values that read as numbers; a group with none has no value.
 * - pct(field, N): "the value at which N percent of the values are lower"; computed exactly here
 *   with the nearest-rank method (the smallest value with at least N% of the values at or below
 *   it). CloudWatch does not document its algorithm and may approximate on large groups.
 */
import type { Expr } from './ast.js';
import type { Getter } from './predicate.js';
import { unsupported } from './predicate.js';
import { QueryError } from './query-error.js';
import { asNumber, asText, type Value } from './values.js';

export interface Accumulator {
  add(get: Getter): void;
  result(): Value;
}

export type AccumulatorFactory = () => Accumulator;

/** Distinct values kept per count_distinct group before the query is refused (memory bound). */
export const MAX_DISTINCT_VALUES = 1_000_000;

function fieldArg(name: string, args: Expr[], checkField: (name: string) => void): string {
  const a = args[0];
  if (args.length !== 1 || a?.kind !== 'field') throw new QueryError(`${name}() takes one field`);
  checkField(a.name);
  return a.name;
}

function numeric(
  field: string,
  fold: (acc: number, v: number) => number,
  finish?: (acc: number, n: number) => number,
): AccumulatorFactory {
  return () => {
    let acc = 0;
    let n = 0;
    return {
      add(get) {
        const v = asNumber(get(field));
        if (v === undefined) return;
        acc = n === 0 ? v : fold(acc, v);
        n++;
      },
      result: () => (n === 0 ? undefined : finish ? finish(acc, n) : acc),
    };
  };
}

/** Nearest rank: the ⌈N/100 · n⌉-th smallest value (the smallest for N = 0). */
export function nearestRank(sorted: readonly number[], percent: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((percent / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function compileAggregate(e: Expr, checkField: (name: string) => void): AccumulatorFactory {
  if (e.kind !== 'call') throw new QueryError('stats takes functions: count(), sum(field), pct(field, 90), …');
  switch (e.name) {
    case 'count': {
      const a = e.args[0];
      if (e.args.length === 0 || (e.args.length === 1 && a?.kind === 'star'))
        return () => {
          let n = 0;
          return { add: () => void n++, result: () => n };
        };
      const field = fieldArg('count', e.args, checkField);
      return () => {
        let n = 0;
        return { add: (get) => void (get(field) !== undefined && n++), result: () => n };
      };
    }
    case 'count_distinct': {
      const field = fieldArg('count_distinct', e.args, checkField);
      return () => {
        const seen = new Set<string>();
        return {
          add(get) {
            const t = asText(get(field));
            if (t === undefined) return;
            seen.add(t);
            if (seen.size > MAX_DISTINCT_VALUES)
              throw new QueryError(`count_distinct(${field}) saw more than ${MAX_DISTINCT_VALUES} distinct values`);
          },
          result: () => seen.size,
        };
      };
    }
    case 'sum':
      return numeric(fieldArg('sum', e.args, checkField), (a, v) => a + v);
    case 'avg':
      return numeric(
        fieldArg('avg', e.args, checkField),
        (a, v) => a + v,
        (a, n) => a / n,
      );
    case 'min':
      return numeric(fieldArg('min', e.args, checkField), (a, v) => Math.min(a, v));
    case 'max':
      return numeric(fieldArg('max', e.args, checkField), (a, v) => Math.max(a, v));
    case 'pct': {
      const [f, p] = e.args;
      if (e.args.length !== 2 || f?.kind !== 'field' || p?.kind !== 'number' || p.value < 0 || p.value > 100)
        throw new QueryError('pct() takes a field and a percentile from 0 to 100: pct(duration_ms, 90)');
      checkField(f.name);
      const field = f.name;
      const percent = p.value;
      return () => {
        const values: number[] = [];
        return {
          add(get) {
            const v = asNumber(get(field));
            if (v !== undefined) values.push(v);
          },
          result: () =>
            nearestRank(
              values.sort((x, y) => x - y),
              percent,
            ),
        };
      };
    }
    default:
      throw unsupported(`the stats function ${e.name}()`);
  }
}

/** The column name Logs Insights gives an unnamed aggregate: its text (`count()`, `pct(duration_ms, 90)`). */
export function expressionText(e: Expr): string {
  switch (e.kind) {
    case 'field':
      return e.name;
    case 'number':
      return String(e.value);
    case 'string':
      return JSON.stringify(e.value);
    case 'duration':
      return e.text;
    case 'star':
      return '*';
    case 'call':
      return `${e.name}(${e.args.map(expressionText).join(', ')})`;
    default:
      return e.kind;
  }
}

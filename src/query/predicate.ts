/**
 * `filter` conditions → functions of a record. What the filter page documents: the comparison
 * operators = != < <= > >=, and/or/not, `in [...]` for set membership, `like "text"` (the text
 * anywhere in the value), `like /regex/` and `=~ /regex/`; matching is case-sensitive unless the
 * regex says `(?i)`.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Filter.html
 *
 * Types: log fields are untyped text; two values that both read as numbers compare as numbers
 * (`duration_ms > 300000`), anything else compares as text by code point.
 *
 * Missing fields: a comparison, `like` or `in` on a field the event lacks is false, including the
 * negated operators (`!=`, `not like`, `not in`), so `filter x != "a"` keeps only events that have
 * an x; the boolean `not (…)` negates whatever its operand gave. (The filter page does not spell
 * this out; `ispresent(field)` is the documented way to test for a field and is supported.)
 */
import { RE2JS } from 're2js';
import type { CompareOp, Expr, StringPattern } from './ast.js';
import { QueryError } from './query-error.js';
import { asNumber, asText, type Value } from './values.js';

export type Getter = (name: string) => Value;
export type Condition = (get: Getter) => boolean;
type Operand = (get: Getter) => Value;

export function unsupported(what: string): QueryError {
  return new QueryError(`the local engine does not support ${what}`);
}

/** A user regex, through RE2 (linear time: no catastrophic backtracking). */
export function compileRegex(source: string): (text: string) => boolean {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 120) : 'invalid';
    throw new QueryError(`invalid regular expression /${source.slice(0, 60)}/: ${why}`);
  }
  return (text) => re.test(text);
}

function compileOperand(e: Expr, checkField: (name: string) => void): Operand {
  switch (e.kind) {
    case 'field':
      checkField(e.name);
      return (get) => get(e.name);
    case 'string':
    case 'number': {
      const v = e.value;
      return () => v;
    }
    case 'unsupported':
      throw unsupported(e.what);
    case 'call':
      throw unsupported(`the function ${e.name}() in this place`);
    case 'regex':
      throw new QueryError(`a regular expression /${e.source.slice(0, 40)}/ goes after like or =~`);
    default:
      throw new QueryError('a condition (and, or, not, a comparison) cannot stand where a value is expected');
  }
}

function compare(op: CompareOp, a: Value, b: Value): boolean {
  if (a === undefined || b === undefined) return false;
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined && nb !== undefined) {
    switch (op) {
      case '=':
        return na === nb;
      case '!=':
        return na !== nb;
      case '<':
        return na < nb;
      case '<=':
        return na <= nb;
      case '>':
        return na > nb;
      case '>=':
        return na >= nb;
    }
  }
  const ta = asText(a)!;
  const tb = asText(b)!;
  switch (op) {
    case '=':
      return ta === tb;
    case '!=':
      return ta !== tb;
    case '<':
      return ta < tb;
    case '<=':
      return ta <= tb;
    case '>':
      return ta > tb;
    case '>=':
      return ta >= tb;
  }
}

function matcher(pattern: StringPattern): (text: string) => boolean {
  if (pattern.kind === 'regex') return compileRegex(pattern.source);
  const needle = pattern.value;
  return (text) => text.includes(needle);
}

export function compileCondition(e: Expr, checkField: (name: string) => void): Condition {
  switch (e.kind) {
    case 'and': {
      const l = compileCondition(e.left, checkField);
      const r = compileCondition(e.right, checkField);
      return (get) => l(get) && r(get);
    }
    case 'or': {
      const l = compileCondition(e.left, checkField);
      const r = compileCondition(e.right, checkField);
      return (get) => l(get) || r(get);
    }
    case 'not': {
      const inner = compileCondition(e.operand, checkField);
      return (get) => !inner(get);
    }
    case 'compare': {
      const l = compileOperand(e.left, checkField);
      const r = compileOperand(e.right, checkField);
      const op = e.op;
      return (get) => compare(op, l(get), r(get));
    }
    case 'like': {
      const subject = compileOperand(e.subject, checkField);
      const test = matcher(e.pattern);
      const negated = e.negated;
      return (get) => {
        const text = asText(subject(get));
        return text === undefined ? false : test(text) !== negated;
      };
    }
    case 'in': {
      const subject = compileOperand(e.subject, checkField);
      const values = e.values.map((v) => compileOperand(v, checkField));
      const negated = e.negated;
      return (get) => {
        const s = subject(get);
        if (s === undefined) return false;
        return values.some((v) => compare('=', s, v(get))) !== negated;
      };
    }
    case 'call': {
      const arg = e.args[0];
      if (e.name === 'ispresent' && e.args.length === 1 && arg?.kind === 'field') {
        checkField(arg.name);
        const name = arg.name;
        return (get) => get(name) !== undefined;
      }
      throw unsupported(`the function ${e.name}() in filter`);
    }
    case 'unsupported':
      throw unsupported(e.what);
    case 'field':
      throw new QueryError(
        `the field ${e.name.slice(0, 60)} alone is not a condition: compare it, or use ispresent(${e.name.slice(0, 60)})`,
      );
    default:
      throw new QueryError('a value alone is not a condition: compare it with =, !=, <, >, like or in');
  }
}

/**
 * Hostile queries and lines: deep nesting, huge limits, regexes built to backtrack, `__proto__`
 * fields. Each gives a one-line QueryError or a correct answer, quickly, and leaves
 * Object.prototype alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventFromLine, parseQuery, QueryError, runQuery } from '../../../src/query/index.js';

function attempt(q: string, lines: string[]): 'ok' | 'refused' {
  try {
    runQuery(
      parseQuery(q),
      lines.map((l) => eventFromLine(l)),
    );
    return 'ok';
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    expect(err.message).not.toMatch(/\n/);
    expect(err.message.length).toBeLessThan(300);
    return 'refused';
  }
}

const pieces = [
  'fields',
  'filter',
  'stats',
  'sort',
  'limit',
  'display',
  '|',
  '(',
  ')',
  '[',
  ']',
  ',',
  '"x"',
  "'y'",
  '/a+/',
  '=~',
  'like',
  'in',
  'not',
  'and',
  'or',
  '=',
  '!=',
  '<',
  '>=',
  'count()',
  'pct(d, 90)',
  'bin(5m)',
  'by',
  'as',
  'asc',
  'desc',
  'd',
  'a.b',
  '@timestamp',
  '__proto__',
  '10',
  '-3.5',
  '#c\n',
  ' ',
];

describe('hostile input', () => {
  it('random token soups are refused in one line or answered, never thrown otherwise', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), (tokens) => {
        attempt(tokens.join(' '), ['{"d": 5, "a": {"b": "x"}}', 'not json']);
      }),
      { numRuns: 2000 },
    );
  });

  it('random text is refused in one line or answered', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        attempt(text, ['{"d": 1}']);
      }),
      { numRuns: 1000 },
    );
  });

  it('deep nesting is refused before parsing; just under the bound parses', () => {
    expect(attempt(`filter ${'('.repeat(5000)}d = 1${')'.repeat(5000)}`, [])).toBe('refused');
    expect(attempt(`filter ${'not '.repeat(3000)}d = 1`, ['{"d":1}'])).toMatch(/ok|refused/);
    expect(attempt(`filter ${'('.repeat(60)}d = 1${')'.repeat(60)}`, ['{"d":1}'])).toBe('ok');
    expect(attempt('x'.repeat(20_000), [])).toBe('refused');
  });

  it('huge limits are refused; the largest CloudWatch takes works', () => {
    expect(attempt('limit 99999999999999999999', [])).toBe('refused');
    expect(attempt('limit 0', [])).toBe('refused');
    expect(attempt('limit 10000', ['{}'])).toBe('ok');
  });

  it('backtracking regexes run in linear time (RE2)', () => {
    const line = JSON.stringify({ s: `${'a'.repeat(100_000)}!` });
    const started = Date.now();
    const r = runQuery(parseQuery('filter s like /^(a+)+$/'), [eventFromLine(line)]);
    expect(r.statistics).toEqual({ recordsScanned: 1, recordsMatched: 0 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(attempt('filter s like /(a|a?)+\\1/', [line])).toBe('refused'); // back-references are not RE2
  });

  it('__proto__ and constructor fields are plain fields; nothing reaches Object.prototype', () => {
    const lines = [
      '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"x": 1}}, "d": 1}',
      '{"__proto__": {"polluted": "no"}, "d": 2}',
    ];
    const r = runQuery(
      parseQuery('filter __proto__.polluted = "yes" | fields __proto__.polluted, constructor.prototype.x, toString, d'),
      lines.map((l) => eventFromLine(l)),
    );
    expect(r.rows.map((x) => ({ ...x }))).toEqual([
      { '__proto__.polluted': 'yes', 'constructor.prototype.x': 1, d: 1 },
    ]);
    const s = runQuery(
      parseQuery('stats count() as __proto__ by __proto__.polluted'),
      lines.map((l) => eventFromLine(l)),
    );
    expect(s.rows).toHaveLength(2);
    expect(Object.getPrototypeOf(s.rows[0])).toBeNull();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(
      runQuery(
        parseQuery('filter ispresent(hasOwnProperty)'),
        lines.map((l) => eventFromLine(l)),
      ).rows,
    ).toEqual([]);
  });
});

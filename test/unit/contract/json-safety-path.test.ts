/**
 * findJsonDefect builds the defect's path only once a defect is found (a hot-path saving). The
 * paths must stay exactly what the walk reported before: rejection details name them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonDefect, HOSTILE_KEYS, MAX_JSON_DEPTH, type JsonDefect } from '../../../src/contract/json-safety.js';

/** The earlier walk, path built per key visited: the reference. */
function reference(value: unknown, maxString: number, path = '', depth = 0): JsonDefect | undefined {
  if (typeof value === 'string') return value.length > maxString ? { defect: 'value_too_long', path } : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_JSON_DEPTH) return { defect: 'too_deep', path };
  if (Array.isArray(value)) {
    for (const item of value) {
      const d = reference(item, maxString, path, depth + 1);
      if (d) return d;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const at = path ? `${path}.${key}` : key;
    if (HOSTILE_KEYS.has(key)) return { defect: 'hostile_key', path: at };
    const d = reference((value as Record<string, unknown>)[key], maxString, at, depth + 1);
    if (d) return d;
  }
  return undefined;
}

const key = fc.oneof(
  fc.constantFrom('', 'a', 'b.c', '__proto__', 'constructor', 'prototype', 'x'),
  fc.string({ maxLength: 3 }),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.constant(null),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc
    .array(fc.tuple(key, tie('value')), { maxLength: 4 })
    .map((pairs) => JSON.parse(JSON.stringify(Object.fromEntries(pairs))) as unknown),
})).value;

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { [`k${i}`]: v };
  return v;
}

describe('findJsonDefect paths', () => {
  it('match the per-key walk for any JSON value, base path and string limit', () => {
    fc.assert(
      fc.property(json, fc.constantFrom('', 'context', 'repo'), fc.constantFrom(Infinity, 4, 0), (value, base, max) => {
        expect(findJsonDefect(value, max, base)).toEqual(reference(value, max, base));
      }),
      { numRuns: 2000 },
    );
  });

  it('match it for values nested past the depth limit', () => {
    for (const depth of [MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 5]) {
      expect(findJsonDefect(nested(depth), Infinity, 'context')).toEqual(reference(nested(depth), Infinity, 'context'));
    }
    expect(findJsonDefect(nested(MAX_JSON_DEPTH + 5), Infinity)).toMatchObject({ defect: 'too_deep' });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffAttributes } from '../../../src/contract/attribute-diff.js';
import type { Attributes } from '../../../src/contract/span-record.js';
import { referenceDiffAttributes } from './attribute-diff-reference.js';

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'alakai.event', 'alakai.outcome', '__proto__');
const value = fc.oneof(
  fc.constantFrom('x', 'y'),
  fc.integer({ min: 0, max: 2 }),
  fc.constant(null).map((): string[] => ['x']),
);
function attributes(pairs: [string, string | number | string[]][]): Attributes {
  const out: Attributes = {};
  for (const [k, v] of pairs) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true });
  return out;
}
const attrs = fc.array(fc.tuple(key, value), { maxLength: 8 }).map(attributes);

describe('diffAttributes against its plain reference', () => {
  it('gives the same difference, key order included, for any span and derived attributes', () => {
    fc.assert(
      fc.property(attrs, attrs, (actual, derived) => {
        expect(JSON.stringify(diffAttributes(actual, derived))).toBe(
          JSON.stringify(referenceDiffAttributes(actual, derived)),
        );
      }),
      { numRuns: 5000 },
    );
  });
});

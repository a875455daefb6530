import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyAttributeDiff, diffAttributes } from '../../../src/contract/attribute-diff.js';
import type { Attributes } from '../../../src/contract/span-record.js';
import { attributeValue } from './arbitraries.js';

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'alakai.event', 'alakai.outcome');
const attrs = fc
  .array(fc.tuple(key, attributeValue), { maxLength: 8 })
  .map((pairs): Attributes => Object.fromEntries(pairs));

describe('attribute diff', () => {
  it('rebuilds any attribute map, values and key order, from any derived map', () => {
    fc.assert(
      fc.property(attrs, attrs, (actual, derived) => {
        const rebuilt = applyAttributeDiff(derived, diffAttributes(actual, derived));
        expect(rebuilt && Object.entries(rebuilt)).toEqual(Object.entries(actual));
      }),
      { numRuns: 1000 },
    );
  });

  it('costs nothing when the span has exactly the derived attributes, and only insert positions for attributes set at span start', () => {
    const derived: Attributes = {
      'alakai.event': 'x',
      'alakai.repo.full_name': 'org/repo',
      'alakai.outcome': 'success',
    };
    expect(diffAttributes({ ...derived }, derived)).toBeUndefined();
    const actual: Attributes = {
      'alakai.event': 'x',
      'messaging.system': 'redis',
      'alakai.repo.full_name': 'org/repo',
      'alakai.outcome': 'success',
    };
    expect(diffAttributes(actual, derived)).toEqual({ set: { 'messaging.system': 'redis' }, order: [1] });
  });
});

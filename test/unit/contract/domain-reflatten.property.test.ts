/**
 * unflattenDomain's `reflattened` claims that flattenDomain of the fields it built gives back
 * exactly those attributes, in the same order: spans → event then copies them instead of
 * flattening again. The claim is checked here against flattenDomain itself (the plain reference)
 * on attribute maps made to break it: overlapping and interleaved paths, integer-like segments,
 * JSON keys, context extras, values that flatten to JSON text (-0, NaN).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flattenDomain, unflattenDomain } from '../../../src/contract/domain-attributes.js';
import type { AttributeValue, Attributes } from '../../../src/contract/span-record.js';
import { attributeValue } from './arbitraries.js';

const segment = fc.constantFrom('repo', 'task', 'a', 'b', 'full_name', '0', '7x', 'context', 'json', 'trace_id', 'x');
const key = fc.oneof(
  { weight: 8, arbitrary: fc.array(segment, { minLength: 1, maxLength: 3 }).map((p) => 'alakai.' + p.join('.')) },
  { weight: 1, arbitrary: fc.constantFrom('alakai.event', 'alakai.json', 'other.key', 'alakai.outcome') },
);
const value: fc.Arbitrary<AttributeValue> = fc.oneof(
  { weight: 6, arbitrary: attributeValue },
  { weight: 1, arbitrary: fc.constantFrom<AttributeValue>(-0, Number.NaN, [1, -0], '{"k":1}', 'null') },
);
const attributes = fc
  .array(fc.tuple(key, value), { maxLength: 10 })
  .map((pairs): Attributes => Object.fromEntries(pairs));

function reflattenedEntries(attributes: Attributes, keys: readonly string[]): [string, AttributeValue][] {
  return keys.map((k) => [k, attributes[k]!]);
}

describe('unflattenDomain reflattened', () => {
  it('names exactly the attributes flattenDomain writes back for the fields, in their order', () => {
    let proven = 0;
    fc.assert(
      fc.property(attributes, (attrs) => {
        const domain = unflattenDomain(attrs);
        if (!domain.reflattened) return;
        proven++;
        expect(domain.contextExtras).toBeUndefined();
        const out: Attributes = {};
        flattenDomain(domain.fields, Object.keys(domain.fields), out);
        expect(Object.entries(out)).toEqual(reflattenedEntries(attrs, domain.reflattened));
      }),
      { numRuns: 3000 },
    );
    // The claim must be made often enough for the check to mean something.
    expect(proven).toBeGreaterThan(300);
  });

  it('makes the claim for a slice as runSlice flattens it, and not for interleaved paths', () => {
    const slice: Attributes = {
      'alakai.event': 'slack.implementation',
      'alakai.repo.full_name': 'acme/web',
      'alakai.repo.base_ref': 'main',
      'alakai.pull_request.number': 4821,
      'alakai.labels': ['a', 'b'],
      'alakai.outcome': 'success',
    };
    expect(unflattenDomain(slice).reflattened).toEqual([
      'alakai.repo.full_name',
      'alakai.repo.base_ref',
      'alakai.pull_request.number',
      'alakai.labels',
    ]);
    // flattenDomain groups by field: repo's two members would come out next to each other.
    const interleaved: Attributes = { 'alakai.repo.a': 1, 'alakai.task.a': 2, 'alakai.repo.b': 3 };
    expect(unflattenDomain(interleaved).reflattened).toBeUndefined();
  });
});

/**
 * encodeOtelExtension writes the `otel` extension's text by hand; its bytes must be exactly those
 * of the plain reference (otel-extension-reference.ts: the tree through JSON.stringify), or lines
 * written before and after a change to the writer would differ for the same span.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttributeDiff } from '../../../src/contract/attribute-diff.js';
import {
  decodeOtelExtension,
  encodeOtelExtension,
  type ExtensionDescendant,
  type ExtensionEvent,
  type OtelExtension,
} from '../../../src/contract/otel-extension.js';
import type {
  AttributeValue,
  Attributes,
  ScopeRecord,
  SpanKindValue,
  StatusCodeValue,
} from '../../../src/contract/span-record.js';
import { attributes as guideAttributes, hex16 } from './arbitraries.js';
import { referenceOtelExtension } from './otel-extension-reference.js';

/** Any UTF-16 text: lone surrogates, quotes, backslashes, control characters, long runs. */
const anyText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
);
const value: fc.Arbitrary<AttributeValue> = fc.oneof(
  anyText,
  fc.boolean(),
  fc.integer(),
  fc.double(), // NaN, ±Infinity and -0 included: JSON.stringify writes them as null and 0
  fc.array(anyText, { maxLength: 3 }),
  fc.array(fc.double(), { maxLength: 3 }),
);
const hostileAttributes: fc.Arbitrary<Attributes> = fc
  .array(fc.tuple(fc.oneof(anyText, fc.constantFrom('__proto__', 'alakai.event')), value), { maxLength: 5 })
  .map((pairs) => {
    const out = Object.create(null) as Attributes;
    for (const [k, v] of pairs) out[k] = v;
    return out;
  });
const attrs = fc.oneof(guideAttributes, hostileAttributes);
/** Offsets and durations on both sides of the exact-number limit, negative ones too. */
const nanos = fc.oneof(
  fc.bigInt(-(2n ** 63n), 2n ** 64n),
  fc.bigInt(0n, 10n ** 12n),
  fc.constantFrom(2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n)),
);
const kind = fc.constantFrom<SpanKindValue>(0, 1, 2, 3, 4);
const code = fc.constantFrom<StatusCodeValue>(0, 1, 2);
const scope: fc.Arbitrary<ScopeRecord> = fc.record({ name: anyText, version: anyText }, { requiredKeys: ['name'] });
const diff: fc.Arbitrary<AttributeDiff> = fc.record(
  { set: attrs, del: fc.array(anyText, { maxLength: 3 }), order: fc.array(fc.nat(20), { maxLength: 4 }) },
  { requiredKeys: [] },
);
const event: fc.Arbitrary<ExtensionEvent> = fc.record({ name: anyText, offsetNs: nanos, attributes: attrs });
const descendant: fc.Arbitrary<ExtensionDescendant> = fc.record(
  {
    spanId: hex16,
    parent: fc.oneof(fc.nat(300), hex16),
    name: anyText,
    kind,
    startOffsetNs: nanos,
    durationNs: nanos,
    status: fc.record({ code, message: anyText }, { requiredKeys: ['code'] }),
    attributes: attrs,
    events: fc.array(event, { maxLength: 2 }),
    scope,
    resource: diff,
  },
  {
    requiredKeys: ['spanId', 'parent', 'name', 'kind', 'startOffsetNs', 'durationNs', 'status', 'attributes', 'events'],
  },
);
const extension: fc.Arbitrary<OtelExtension> = fc.record(
  {
    startNs: fc.bigInt(0n, 2n ** 64n - 1n),
    durationNs: nanos,
    name: anyText,
    kind,
    statusCode: code,
    statusMessage: anyText,
    domainKeys: fc.array(anyText, { maxLength: 3 }),
    attributes: diff,
    events: fc.array(event, { maxLength: 3 }),
    resource: diff,
    scope,
    descendants: fc.array(descendant, { maxLength: 4 }),
    dropped: fc.nat(1000),
    truncated: fc.boolean(),
  },
  { requiredKeys: ['startNs', 'durationNs', 'domainKeys', 'events', 'descendants', 'dropped', 'truncated'] },
);

describe('otel extension writer', () => {
  it('writes exactly the reference text (the tree through JSON.stringify) for any extension', () => {
    fc.assert(
      fc.property(extension, (ext) => {
        expect(encodeOtelExtension(ext)).toBe(referenceOtelExtension(ext));
      }),
      { numRuns: 2000 },
    );
  });

  it('an extension with every default left out is the shortest text the format has, and reads back', () => {
    const ext: OtelExtension = {
      startNs: 5n,
      durationNs: 7n,
      domainKeys: [],
      events: [],
      descendants: [],
      dropped: 0,
      truncated: false,
    };
    expect(referenceOtelExtension(ext)).toBe('{"v":1,"s":"5","d":7}');
    expect(encodeOtelExtension(ext)).toBe('{"v":1,"s":"5","d":7}');
    expect(decodeOtelExtension('{"v":1,"s":"5","d":7}')).toBeDefined();
  });
});

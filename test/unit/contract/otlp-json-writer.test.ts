/**
 * encodeOtlpJsonLine writes the OTLP/JSON text directly (the backfill's hot path) instead of
 * stringifying the request object. Its bytes must be exactly those of
 * JSON.stringify(toOtlpRequest(spans)): Jaeger only drops a re-sent span as a duplicate when it is
 * identical, and earlier backfill outputs were written through the object path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeOtlpJsonLine, fromOtlpRequest, toOtlpRequest } from '../../../src/contract/otlp-json.js';
import { componentResource, sharedComponentResource } from '../../../src/contract/resource.js';
import type { AttributeValue, Attributes, ScopeRecord, SpanRecord } from '../../../src/contract/span-record.js';
import { hex16, hex32 } from './arbitraries.js';

/** Any UTF-16 text, lone surrogates, quotes, backslashes and control characters included. */
const anyText = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 12,
});
const value: fc.Arbitrary<AttributeValue> = fc.oneof(
  anyText,
  fc.boolean(),
  fc.integer(),
  fc.double(), // NaN, ±Infinity and -0 included: the object path writes them as JSON does
  fc.constantFrom(1e21, -1e-7, Number.MAX_SAFE_INTEGER + 2),
  fc.array(anyText, { maxLength: 3 }),
  fc.array(fc.double(), { maxLength: 3 }),
  fc.array(fc.boolean(), { maxLength: 3 }),
);
const attrs: fc.Arbitrary<Attributes> = fc
  .array(fc.tuple(fc.oneof(anyText, fc.constantFrom('alakai.event', 'log.message')), value), { maxLength: 6 })
  .map((pairs) => {
    const out: Attributes = Object.create(null) as Attributes;
    for (const [k, v] of pairs) out[k] = v;
    return out;
  });
const resources = [
  sharedComponentResource('alakai-core', 'core'),
  sharedComponentResource('alakai-worker', 'worker'),
  componentResource('alakai-core', 'core'), // equal content to the shared one, another object
  componentResource('svc "quoted"', 'other'),
];
const scopes: ScopeRecord[] = [
  { name: 'alakai-otel' },
  { name: 'alakai-otel', version: '1.2.3' },
  { name: 'x\u2028y' },
];
const nanos = fc.bigInt(0n, 2n ** 64n - 1n);
const span: fc.Arbitrary<SpanRecord> = fc
  .record({
    traceId: hex32,
    spanId: hex16,
    parentSpanId: fc.option(hex16, { nil: undefined }),
    name: anyText,
    kind: fc.constantFrom(0, 1, 2, 3, 4),
    startTimeUnixNano: nanos,
    endTimeUnixNano: nanos,
    status: fc.record({
      code: fc.constantFrom(0, 1, 2),
      message: fc.option(anyText, { nil: undefined }),
    }),
    attributes: attrs,
    events: fc.array(fc.record({ name: anyText, timeUnixNano: nanos, attributes: attrs }), { maxLength: 3 }),
    resource: fc.constantFrom(...resources),
    scope: fc.constantFrom(...scopes),
  })
  .map((s) => {
    if (s.parentSpanId === undefined) delete s.parentSpanId;
    if (s.status.message === undefined) delete s.status.message;
    return s;
  });

const objectPath = (spans: SpanRecord[]): string => JSON.stringify(toOtlpRequest(spans));

describe('encodeOtlpJsonLine (direct writer)', () => {
  it('writes exactly the bytes of JSON.stringify(toOtlpRequest(spans)), for any spans', () => {
    fc.assert(
      fc.property(fc.array(span, { minLength: 1, maxLength: 6 }), (spans) => {
        expect(encodeOtlpJsonLine(spans)).toBe(objectPath(spans));
      }),
      { numRuns: 400 },
    );
  });

  it('groups spans of equal resources from different objects, in order of first appearance', () => {
    const base = fc.sample(span, { numRuns: 1, seed: 7 })[0]!;
    const spans = [
      { ...base, spanId: '1111111111111111', resource: resources[3]! },
      { ...base, spanId: '2222222222222222', resource: resources[0]! },
      { ...base, spanId: '3333333333333333', resource: resources[2]!, scope: scopes[1]! },
      { ...base, spanId: '4444444444444444', resource: resources[3]! },
    ];
    const line = encodeOtlpJsonLine(spans);
    expect(line).toBe(objectPath(spans));
    const request = JSON.parse(line) as { resourceSpans: { scopeSpans: unknown[] }[] };
    expect(request.resourceSpans).toHaveLength(2);
    expect(request.resourceSpans[1]!.scopeSpans).toHaveLength(2);
    expect(fromOtlpRequest(line).map((s) => s.spanId)).toEqual([
      '1111111111111111',
      '4444444444444444',
      '2222222222222222',
      '3333333333333333',
    ]);
  });

  it('decodes hostile attribute keys as plain data in the one attribute-map form', () => {
    const request = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'alakai-core' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: '1111111111111111',
                  name: 'x',
                  startTimeUnixNano: '1',
                  endTimeUnixNano: '2',
                  attributes: [
                    { key: '__proto__', value: { stringValue: 'polluted' } },
                    { key: 'constructor', value: { intValue: '7' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const [span] = fromOtlpRequest(request);
    expect(Object.getPrototypeOf(span!.attributes)).toBe(Object.prototype);
    expect(Object.keys(span!.attributes)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(span!.attributes, '__proto__')?.value).toBe('polluted');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('writes values outside the SpanRecord types as the object path does, and throws where it throws', () => {
    const base = fc.sample(span, { numRuns: 1, seed: 11 })[0]!;
    const odd = {
      ...base,
      name: undefined,
      status: { code: 0, message: 5 },
      attributes: {
        a: null,
        b: undefined,
        c: { x: 1 }, // eslint-disable-next-line no-sparse-arrays -- a hole, as hostile input may hold
        d: [1, , 'x'],
      },
    } as unknown as SpanRecord;
    expect(encodeOtlpJsonLine([odd])).toBe(objectPath([odd]));
    const bigintValue = { ...base, attributes: { n: 5n } } as unknown as SpanRecord;
    expect(() => objectPath([bigintValue])).toThrow(TypeError);
    expect(() => encodeOtlpJsonLine([bigintValue])).toThrow(TypeError);
  });

  it('writes plain strings bare and escapes the rest, in any sequence of the two', () => {
    const base = fc.sample(span, { numRuns: 1, seed: 13 })[0]!;
    // Every character class the bare path must refuse, between plain values before and after.
    const escaped = ['say "hi"', 'a\\b', 'tab\there', '\u0000', '\ud800', 'pair \ud83d\ude00', '\u001f'];
    for (const odd of escaped) {
      const spans: SpanRecord[] = [
        {
          ...base,
          name: odd,
          parentSpanId: '00000000000000aa',
          attributes: { plain: 'x', odd, after: 'y', n: 1, last: odd },
          events: [
            { name: odd, timeUnixNano: 1n, attributes: { odd, plain: 'z' } },
            { name: 'plain', timeUnixNano: 2n, attributes: { plain: 'z', odd } },
          ],
          status: { code: 2, message: odd },
        },
        {
          ...base,
          spanId: 'bbbbbbbbbbbbbbbb',
          name: 'plain \u2028 line separator is not escaped by JSON',
          attributes: { a: 'b', c: '\u2029' },
        },
      ];
      expect(encodeOtlpJsonLine(spans)).toBe(objectPath(spans));
    }
  });
});

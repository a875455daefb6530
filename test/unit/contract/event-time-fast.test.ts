/** parseNormalizedTime is Date.parse with a fast path for the canonical form: same numbers, always. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNormalizedTime } from '../../../src/contract/event-time.js';

const pad = (n: number, w: number) => String(n).padStart(w, '0');
/** Canonical-shaped strings, impossible dates (Feb 30, hour 24, second 60) and pre-1970 years included. */
const canonicalShaped = fc
  .tuple(
    fc.integer({ min: 1900, max: 9999 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 24 }),
    fc.integer({ min: 0, max: 60 }),
    fc.integer({ min: 0, max: 60 }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(
    ([y, mo, d, h, mi, s, ms]) =>
      `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`,
  );

describe('parseNormalizedTime', () => {
  it('equals Date.parse on canonical-shaped strings, valid or not', () => {
    fc.assert(
      fc.property(canonicalShaped, (t) => {
        expect(Object.is(parseNormalizedTime(t), Date.parse(t))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('equals Date.parse on other forms', () => {
    for (const t of [
      '2026-03-01T00:00:01Z',
      '2026-03-01T00:00:01.153+02:00',
      'March 7, 2026',
      '',
      'x'.repeat(24),
      '2026-03-01T00:00:01.153Z ',
    ]) {
      expect(Object.is(parseNormalizedTime(t), Date.parse(t))).toBe(true);
    }
  });
});

/** isoOfMs is Date#toISOString with the text up to the second kept: same text, always. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoOfMs } from '../../../src/contract/iso-time.js';

const MAX_DATE_MS = 8.64e15;

describe('isoOfMs', () => {
  it('equals toISOString over the whole Date range, including the second changing back and forth', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -MAX_DATE_MS, max: MAX_DATE_MS }),
        fc.integer({ min: -1500, max: 1500 }),
        (ms, step) => {
          const next = Math.min(MAX_DATE_MS, Math.max(-MAX_DATE_MS, ms + step));
          for (const t of [ms, next, ms]) expect(isoOfMs(t)).toBe(new Date(t).toISOString());
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('equals toISOString at the edges: epoch, year 9999/10000, the last millisecond of a second', () => {
    for (const t of [
      0,
      1,
      999,
      1000,
      -1,
      -1000,
      -1001,
      253402300799999,
      253402300800000,
      MAX_DATE_MS,
      -MAX_DATE_MS,
      1795465626999,
    ]) {
      expect(isoOfMs(t)).toBe(new Date(t).toISOString());
    }
  });
});

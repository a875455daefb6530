import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isoTimestamp } from '../../../src/sdk/logger.js';

afterEach(() => {
  vi.useRealTimers();
});

describe("isoTimestamp (the default logger's time)", () => {
  // A faked clock, so each call's millisecond is known exactly instead of bracketed by Date.now().
  it("writes pino's isoTime text for the current millisecond", () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const check = (ms: number) => {
      vi.setSystemTime(ms);
      expect(isoTimestamp()).toBe(pino.stdTimeFunctions.isoTime());
      expect(isoTimestamp()).toBe(pino.stdTimeFunctions.isoTime()); // the same millisecond again
    };
    // 2000 consecutive milliseconds across a second, minute, hour, day and year boundary.
    const start = Date.UTC(2026, 11, 31, 23, 59, 59, 0);
    for (let ms = start; ms < start + 2000; ms++) check(ms);
    // The clock set back, a leap day, the epoch and a far year.
    for (const ms of [
      start - 1,
      start + 1000,
      Date.UTC(2024, 1, 29, 12, 0, 0, 5),
      0,
      1,
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    ])
      check(ms);
  });
});

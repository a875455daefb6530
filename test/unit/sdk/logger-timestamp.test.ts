import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../../../src/sdk/logger.js';

describe('isoTimestamp (the default logger\'s time)', () => {
  it('writes pino\'s isoTime text for the current millisecond', () => {
    for (let i = 0; i < 2000; i++) {
      const before = Date.now();
      const text = isoTimestamp();
      const after = Date.now();
      const m = /^,"time":"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)"$/.exec(text);
      expect(m).not.toBeNull();
      const ms = Date.parse(m![1]!);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(after);
      expect(new Date(ms).toISOString()).toBe(m![1]);
    }
  });
});

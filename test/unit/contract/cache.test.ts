/** The one cache policy (cache.ts): bounded, cleared when full, long keys never stored. */
import { describe, expect, it } from 'vitest';
import { boundedMemo, BoundedMap } from '../../../src/contract/cache.js';

function countingMemo(max: number, maxKeyLength?: number) {
  const built: string[] = [];
  const memo = boundedMemo(
    max,
    (key) => {
      built.push(key);
      return `v:${key}`;
    },
    maxKeyLength,
  );
  return { memo, built };
}

describe('boundedMemo', () => {
  it('builds each key once while it stays cached, and returns what was built', () => {
    const { memo, built } = countingMemo(4);
    expect([memo('a'), memo('b'), memo('a'), memo('b')]).toEqual(['v:a', 'v:b', 'v:a', 'v:b']);
    expect(built).toEqual(['a', 'b']);
  });

  it('starts over when full: at most `max` keys are held', () => {
    const { memo, built } = countingMemo(2);
    memo('a');
    memo('b');
    memo('c'); // full: cleared, then c stored
    memo('c');
    memo('a'); // built again
    expect(built).toEqual(['a', 'b', 'c', 'a']);
  });

  it('never stores a key longer than maxKeyLength, and builds it each time', () => {
    const { memo, built } = countingMemo(8, 3);
    expect(memo('long')).toBe('v:long');
    expect(memo('long')).toBe('v:long');
    memo('abc');
    memo('abc');
    expect(built).toEqual(['long', 'long', 'abc']);
  });

  it('keeps keys such as __proto__ as plain keys', () => {
    const { memo, built } = countingMemo(8);
    expect(memo('__proto__')).toBe('v:__proto__');
    expect(memo('__proto__')).toBe('v:__proto__');
    expect(built).toEqual(['__proto__']);
  });
});

describe('BoundedMap', () => {
  it('clears when full and skips long keys, as boundedMemo does', () => {
    const map = new BoundedMap<number>(2, 3);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect([map.has('a'), map.has('b'), map.get('c')]).toEqual([false, false, 3]);
    map.set('long', 4);
    expect(map.has('long')).toBe(false);
  });
});

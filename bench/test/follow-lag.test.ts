/** The follow benchmark measures what it says: each summary line is found under its own span, and lag is seen − written. */
import { describe, expect, it } from 'vitest';
import { encodeOtlpJsonLine } from '../../src/contract/otlp-json.js';
import { FollowAssembler } from '../../src/follow/follow-assembler.js';
import { lagsOf, percentile, scheduleLines, spanKeysOfLine } from '../follow-lag.js';

describe('follow lag benchmark', () => {
  it("finds every summary line's slice span under the key it was written with, and the causal order holds", () => {
    const lines = scheduleLines(20, 4000, Date.UTC(2026, 11, 2), 1);
    const summaries = lines.filter((l) => l.key !== undefined);
    expect(summaries.length).toBeGreaterThan(40);
    expect(new Set(summaries.map((l) => l.component))).toEqual(new Set(['core', 'orchestrator', 'worker']));
    const assembler = new FollowAssembler({
      holdMs: 15_000,
      traceWindowMs: 60_000,
      maxOpenTraces: 10_000,
      maxLinesPerTrace: 1000,
    });
    const keys = new Set<string>();
    // Fed in write order with a clock that never reaches the hold: a span out here went out because
    // its parent was present, as the bench expects of every slice it writes.
    for (const l of lines) {
      assembler.add({ text: l.text }, l.atMs);
      for (const batch of assembler.release(l.atMs))
        for (const k of spanKeysOfLine(encodeOtlpJsonLine(batch))) keys.add(k);
    }
    expect(summaries.filter((l) => !keys.has(l.key!)).map((l) => l.text.slice(0, 200))).toEqual([]);
    expect(assembler.counters().late).toBe(0);
  });

  it('lag is first seen − written, missing spans counted, percentiles by nearest rank', () => {
    const written = new Map([
      ['a', 1000],
      ['b', 1000],
      ['c', 2000],
      ['d', 3000],
    ]);
    const seen = new Map([
      ['a', 1300],
      ['b', 1100],
      ['c', 2250],
      ['x', 9999],
    ]);
    const { lags, unmatched } = lagsOf(written, seen);
    expect(lags).toEqual([100, 250, 300]);
    expect(unmatched).toBe(1);
    expect(percentile(lags, 50)).toBe(250);
    expect(percentile(lags, 99)).toBe(300);
    expect(percentile([], 50)).toBeNaN();
  });
});

/** The query benchmark's floor does the engine's work: the hand loop gives the engine's answer. */
import { describe, expect, it } from 'vitest';
import { engineAnswer, handAnswer, percentileEvents, runQueryBench } from '../query-percentiles.js';

describe('query percentiles benchmark', () => {
  it('the hand-written loop computes the same p90/p99 rows as the engine, over the same events', () => {
    const events = percentileEvents(5000);
    const engine = engineAnswer(events);
    const hand = handAnswer(events);
    expect(hand.length).toBe(15);
    // Ties in p99 may come in either order: compare as sets, then the p99 order.
    expect(engine.rows.map((r) => ({ ...r }))).toEqual(expect.arrayContaining(hand));
    expect(engine.rows).toHaveLength(hand.length);
    expect(engine.rows.map((r) => r['p99_ms'])).toEqual(hand.map((r) => r['p99_ms']));
    expect(hand.reduce((n, r) => n + Number(r['total']), 0)).toBe(events.filter((e) => e.json?.['event']).length);
  });

  it('runs and reports rates and a ratio', () => {
    const r = runQueryBench({ quick: true, log: () => undefined });
    expect(r.engineRowsPerS).toBeGreaterThan(0);
    expect(r.floorRowsPerS).toBeGreaterThan(0);
    expect(Number.isFinite(r.ratio)).toBe(true);
  });
});

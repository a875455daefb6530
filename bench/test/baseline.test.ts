import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareWithBaseline,
  readBaseline,
  withRecorded,
  writeBaseline,
  type Baseline,
  type Metric,
} from '../lib/baseline.js';

const run = { commit: 'abc1234', date: '2026-11-23T23:00:00.000Z', load: 0.5 };
const cpu = (value: number): Metric => ({ value, better: 'lower', unit: 'µs' });
const rate = (value: number): Metric => ({ value, better: 'higher', unit: '/s' });

describe('benchmark baseline (no figure more than 10 % worse without a note)', () => {
  const recorded: Baseline = withRecorded(
    { metrics: {} },
    { 'slice (c) CPU µs/slice': cpu(100), 'backfill bridge events/CPU-s': rate(20_000) },
    run,
  );

  it('names a figure more than 10 % worse, in either direction of "better"', () => {
    const rows = compareWithBaseline(recorded, {
      'slice (c) CPU µs/slice': cpu(111),
      'backfill bridge events/CPU-s': rate(17_900),
    });
    expect(rows.map((r) => [r.name, r.regressed])).toEqual([
      ['slice (c) CPU µs/slice', true],
      ['backfill bridge events/CPU-s', true],
    ]);
    expect(rows[0]!.worseBy).toBeCloseTo(0.11);
    expect(rows[1]!.worseBy).toBeCloseTo(0.105);
  });

  it('does not flag changes within 10 % or improvements', () => {
    const rows = compareWithBaseline(recorded, {
      'slice (c) CPU µs/slice': cpu(109),
      'backfill bridge events/CPU-s': rate(40_000),
    });
    expect(rows.map((r) => r.regressed)).toEqual([false, false]);
    expect(rows[1]!.worseBy).toBeCloseTo(-1);
  });

  it('skips figures with nothing recorded, and recording keeps the figures a run did not measure', () => {
    expect(compareWithBaseline(recorded, { 'backfill bridge 5,000,002 peak RSS MB': cpu(200) })).toEqual([]);
    const later = withRecorded(recorded, { 'slice (c) CPU µs/slice': cpu(90) }, { ...run, commit: 'def5678' });
    expect(later.metrics['slice (c) CPU µs/slice']).toMatchObject({ value: 90, commit: 'def5678' });
    expect(later.metrics['backfill bridge events/CPU-s']).toMatchObject({ value: 20_000, commit: 'abc1234' });
  });

  it('round-trips through the file, and a missing file is an empty baseline', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'alakai-baseline-')), 'baseline.json');
    expect(readBaseline(path)).toEqual({ metrics: {} });
    writeBaseline(path, recorded);
    expect(readBaseline(path)).toEqual(recorded);
  });
});

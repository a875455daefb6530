/**
 * The recorded figures a run is compared with (issue 6: no benchmark may get more than 10 % worse
 * than the figures in docs/benchmarks.md without a note saying why). `bench/baseline.json` holds
 * them, each with the run that recorded it; `npm run bench -- --record-baseline` replaces the
 * figures this run measured and keeps the others (a 5M run can be recorded on its own).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BackfillResult } from '../backfill/backfill-throughput.js';
import type { SliceOverheadResult } from '../slice/slice-overhead.js';

/** A change worse than this share of the recorded value is a regression. */
export const REGRESSION_LIMIT = 0.1;

export interface Metric {
  value: number;
  better: 'lower' | 'higher';
  unit: string;
}

export interface RecordedMetric extends Metric {
  /** Commit and date of the run that recorded it, and that run's 1-minute load average. */
  commit: string;
  date: string;
  load: number;
}

export interface Baseline {
  metrics: Record<string, RecordedMetric>;
}

export interface RunInfo {
  commit: string;
  date: string;
  load: number;
}

export interface Comparison {
  name: string;
  recorded: RecordedMetric;
  now: Metric;
  /** Relative change, positive = worse, whatever direction is better. */
  worseBy: number;
  regressed: boolean;
}

/**
 * The figures a run is judged by: CPU time is the stable one on a shared machine, so both wall and
 * CPU are kept; peak RSS for the backfill. Keys name the scenario or converter and input size.
 */
export function metricsOf(
  slice: SliceOverheadResult | undefined,
  backfill: BackfillResult | undefined,
): Record<string, Metric> {
  const out: Record<string, Metric> = {};
  for (const s of slice?.scenarios ?? []) {
    const id = s.name.slice(0, s.name.indexOf(')') + 1);
    out[`slice ${id} µs/slice`] = { value: s.usPerSlice, better: 'lower', unit: 'µs' };
    out[`slice ${id} CPU µs/slice`] = { value: s.cpuUsPerSlice, better: 'lower', unit: 'µs' };
  }
  if (slice?.cpuTarget)
    out['slice ratio (c−a)/(b−a), CPU'] = { value: slice.cpuTarget.ratio, better: 'lower', unit: '×' };
  for (const r of backfill?.runs ?? []) {
    if (r.error || !r.complete) continue;
    const id = `backfill ${r.converter} ${r.summaryEvents.toLocaleString('en-US')}`;
    out[`${id} events/CPU-s`] = { value: r.eventsPerCpuS, better: 'higher', unit: '/s' };
    out[`${id} events/s`] = { value: r.eventsPerS, better: 'higher', unit: '/s' };
    out[`${id} peak RSS MB`] = { value: r.maxRssMb, better: 'lower', unit: 'MB' };
  }
  return out;
}

export function compareWithBaseline(baseline: Baseline, now: Record<string, Metric>): Comparison[] {
  const rows: Comparison[] = [];
  for (const [name, metric] of Object.entries(now)) {
    const recorded = Object.hasOwn(baseline.metrics, name) ? baseline.metrics[name] : undefined;
    if (!recorded || !(recorded.value > 0) || !Number.isFinite(metric.value)) continue;
    const change = (metric.value - recorded.value) / recorded.value;
    const worseBy = recorded.better === 'lower' ? change : -change;
    rows.push({ name, recorded, now: metric, worseBy, regressed: worseBy > REGRESSION_LIMIT });
  }
  return rows;
}

export function withRecorded(baseline: Baseline, now: Record<string, Metric>, run: RunInfo): Baseline {
  const metrics: Record<string, RecordedMetric> = { ...baseline.metrics };
  for (const [name, metric] of Object.entries(now)) {
    if (Number.isFinite(metric.value))
      metrics[name] = { ...metric, commit: run.commit, date: run.date, load: run.load };
  }
  return { metrics };
}

export function readBaseline(path: string): Baseline {
  if (!existsSync(path)) return { metrics: {} };
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Baseline>;
  return { metrics: parsed.metrics && typeof parsed.metrics === 'object' ? parsed.metrics : {} };
}

export function writeBaseline(path: string, baseline: Baseline): void {
  const sorted = Object.fromEntries(Object.entries(baseline.metrics).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(path, JSON.stringify({ metrics: sorted }, null, 2) + '\n');
}

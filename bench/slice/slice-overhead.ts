/**
 * Slice overhead, three ways in one run (issue 6):
 *   (a) OTel SDK, batch processor, no-op exporter, no summary line;
 *   (b) (a) plus today's hand-written `logger.info(summaryObject, msg)`;
 *   (c) the bridge producing the line (what a service owner runs: the SDK's setup and runSlice).
 * Target: (c) − (a) ≤ 1.25 × ((b) − (a)).
 *
 * One tinybench iteration runs BATCH slices and then settles (batch export done, log writes handed
 * to the OS), so deferred work is paid inside the iteration that caused it. BATCH = 100 slices is
 * 500 spans, about one BatchSpanProcessor export batch (512). Rounds run the scenarios in rotated
 * order so that drift (GC, CPU frequency) does not favour whichever runs first; the figure is the
 * median over rounds of each round's median.
 */
import { context } from '@opentelemetry/api';
import { Bench } from 'tinybench';
import { BenchAlsContextManager } from './als-context-manager.js';
import { devNullSink, type LogSink } from './fixture.js';
import { handWrittenLineScenario, otelOnlyScenario } from './plain-otel-scenarios.js';
import type { SliceScenario } from './scenario.js';
import { median } from '../lib/stats.js';

const BATCH = 100;

export interface SliceOverheadOptions {
  quick: boolean;
}

export interface ScenarioResult {
  name: string;
  /** Median over rounds of the per-slice median, microseconds. */
  usPerSlice: number;
  /** Smallest and largest round median, microseconds per slice. */
  roundMin: number;
  roundMax: number;
  /** Median absolute deviation of the samples, as % of the median (pooled over rounds). */
  madPct: number;
  samples: number;
  bytesPerSlice: number;
  spansPerSlice: number;
}

export interface SliceOverheadResult {
  batch: number;
  rounds: number;
  scenarios: ScenarioResult[];
  /** Absent when scenario (c) could not be loaded. */
  target?: { cMinusA: number; bMinusA: number; limit: number; ratio: number; met: boolean };
  bridgeUnavailable?: string;
  bridgeLine?: string;
  handWrittenLine?: string;
}

type ScenarioFactory = (sink: LogSink) => SliceScenario | Promise<SliceScenario>;

async function loadBridgeScenario(): Promise<ScenarioFactory | string> {
  try {
    // A variable specifier: the bench still runs (without (c)) while the SDK is not in the tree.
    const specifier = './bridge-scenario.js';
    const mod = (await import(specifier)) as { bridgeScenario: ScenarioFactory };
    return mod.bridgeScenario;
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0]! : String(err);
  }
}

export async function runSliceOverhead(opts: SliceOverheadOptions): Promise<SliceOverheadResult> {
  const rounds = opts.quick ? 1 : 5;
  const timeMs = opts.quick ? 150 : 2000;
  const sink = await devNullSink();
  // The bridge is set up first: if its setup registers a context manager, (a) and (b) use that same
  // one; otherwise they get a plain AsyncLocalStorage one, as a service using the OTel SDK would.
  const bridge = await loadBridgeScenario();
  const bridgeScenario = typeof bridge === 'function' ? await bridge(sink) : undefined;
  context.setGlobalContextManager(new BenchAlsContextManager());
  const scenarios: SliceScenario[] = [otelOnlyScenario(sink), handWrittenLineScenario(sink)];
  if (bridgeScenario) scenarios.push(bridgeScenario);

  const perRound = new Map<string, number[]>();
  const pooled = new Map<string, number[]>();
  const bytes = new Map<string, number>();
  const spans = new Map<string, number>();
  const lines = new Map<string, string>();
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time: timeMs, warmupTime: opts.quick ? 50 : 500, retainSamples: true });
    const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length]!);
    for (const s of order) {
      let slices = 0;
      let bytesBefore = 0;
      let spansBefore = 0;
      bench.add(
        s.name,
        async () => {
          for (let i = 0; i < BATCH; i++) await s.runSlice();
          await s.settle();
          slices += BATCH;
        },
        {
          beforeAll: () => {
            slices = 0;
            bytesBefore = sink.bytes();
            spansBefore = s.exportedSpans();
          },
          afterAll: () => {
            if (slices === 0) return;
            bytes.set(s.name, (sink.bytes() - bytesBefore) / slices);
            spans.set(s.name, (s.exportedSpans() - spansBefore) / slices);
            if (sink.bytes() > bytesBefore) lines.set(s.name, sink.lastLine());
          },
        },
      );
    }
    await bench.run();
    for (const task of bench.tasks) {
      const r = task.result;
      if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state === 'errored' ? String(r.error) : r.state}`);
      const us = (ms: number) => (ms * 1000) / BATCH;
      perRound.set(task.name, [...(perRound.get(task.name) ?? []), us(r.latency.p50)]);
      pooled.set(task.name, [...(pooled.get(task.name) ?? []), ...(r.latency.samples ?? []).map(us)]);
    }
  }
  for (const s of scenarios) await s.shutdown();
  await sink.close();

  const results: ScenarioResult[] = scenarios.map((s) => {
    const rs = perRound.get(s.name)!;
    const samples = pooled.get(s.name)!;
    const m = median(samples);
    return {
      name: s.name,
      usPerSlice: median(rs),
      roundMin: Math.min(...rs),
      roundMax: Math.max(...rs),
      madPct: (100 * median(samples.map((x) => Math.abs(x - m)))) / m,
      samples: samples.length,
      bytesPerSlice: bytes.get(s.name) ?? 0,
      spansPerSlice: spans.get(s.name) ?? 0,
    };
  });
  const out: SliceOverheadResult = { batch: BATCH, rounds, scenarios: results };
  const [a, b, c] = results;
  if (typeof bridge === 'string') out.bridgeUnavailable = bridge;
  if (a && b && c) {
    const cMinusA = c.usPerSlice - a.usPerSlice;
    const bMinusA = b.usPerSlice - a.usPerSlice;
    out.target = { cMinusA, bMinusA, limit: 1.25 * bMinusA, ratio: cMinusA / bMinusA, met: cMinusA <= 1.25 * bMinusA };
    out.bridgeLine = lines.get(c.name);
  }
  if (b) out.handWrittenLine = lines.get(b.name);
  return out;
}

/**
 * Backfill throughput and scaling (issue 6): the generated NDJSON file (./../data) converted to an
 * OTLP/JSON-lines file by the real CLI (`alakai-otel backfill --input F --output F --report F`) and
 * by the naive OTel-SDK converter (../naive-converter.ts), each in its own child process pinned to
 * one CPU, measured from outside: wall time, CPU time, peak RSS.
 *
 * Targets: ≥ 100,000 summary events/s on one core, ≥ 3× the naive converter, peak RSS ≤ 256 MB at
 * 5M events; time linear and memory flat from 100k to 1M to 5M events. Issue 12: the backfill takes
 * at most 1.3× the time of the write floor (./write-floor.ts) on the same input, by wall and by CPU.
 * The two run in alternation, round by round, and the ratio is the median of each round's pair, so
 * both meet the same load (the machine is shared).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureEventsFile, type EventsFileInfo } from '../data/generate-events.js';
import { measureNode, type ChildMeasure } from '../lib/measure-child.js';
import { median } from '../lib/stats.js';

/** The repository root, from bench/.build/bench/backfill/. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = join(ROOT, 'bin', 'alakai-otel.js');
const NAIVE = fileURLToPath(new URL('../naive-converter.js', import.meta.url));
const FLOOR = fileURLToPath(new URL('./parse-floor.js', import.meta.url));
const WRITE_FLOOR = fileURLToPath(new URL('./write-floor.js', import.meta.url));

export type Converter = 'bridge' | 'naive' | 'parse-floor' | 'write-floor';

/** Issue 12: the backfill's time ÷ the write floor's, wall and CPU. */
export const FLOOR_RATIO_LIMIT = 1.3;

export interface BackfillOptions {
  quick: boolean;
  scale: boolean;
  /** Also run the naive converter at 5M events (about 7 minutes on the reference machine). */
  naiveAtScale: boolean;
  /** Replaces the sizes chosen by quick/scale (e.g. only 5M, to run it apart). */
  sizes?: number[];
  log: (line: string) => void;
}

export interface RunFigures {
  converter: Converter;
  summaryEvents: number;
  inputBytes: number;
  runs: number;
  /** Median over runs. */
  wallS: number;
  wallMinS: number;
  wallMaxS: number;
  cpuS: number;
  /** Summary events ÷ wall seconds. */
  eventsPerS: number;
  /**
   * Summary events ÷ CPU seconds (user + system) of the child. On a shared machine the wall figure
   * includes time spent waiting for the CPU; this one is the cost on one core.
   */
  eventsPerCpuS: number;
  /** 1-minute load average before and after the runs (the machine is shared). */
  loadBefore: number;
  loadAfter: number;
  inputBytesPerS: number;
  /** Largest over runs. */
  maxRssMb: number;
  outputBytes: number;
  spansWritten: number | undefined;
  /** The converter's report agrees with the input: one span per summary event, nothing lost. */
  complete: boolean;
  pinned: boolean;
  error?: string;
}

export interface BackfillResult {
  inputs: EventsFileInfo[];
  runs: RunFigures[];
  bridgeUnavailable?: string;
  targets: {
    eventsPerS?: { wall: number; cpu: number; at: number; limit: number; metWall: boolean; metCpu: boolean };
    vsNaive?: { wallRatio: number; cpuRatio: number; at: number; limit: number; metWall: boolean; metCpu: boolean };
    /**
     * Bridge time ÷ write-floor time, per size both ran: medians of the per-round ratios (a round
     * runs the two back to back), with the spread over rounds.
     */
    vsFloor?: FloorRatio[];
    rssAt5M?: { valueMb: number; limitMb: number; met: boolean };
  };
  scaling: { from: number; to: number; perEventTimeRatio: number; perEventCpuRatio: number; rssRatio: number }[];
}

export interface FloorRatio {
  at: number;
  rounds: number;
  wallRatio: number;
  wallRange: [number, number];
  cpuRatio: number;
  cpuRange: [number, number];
  limit: number;
  metWall: boolean;
  metCpu: boolean;
}

const PROGRAMS: Record<Exclude<Converter, 'bridge'>, string> = {
  naive: NAIVE,
  'parse-floor': FLOOR,
  'write-floor': WRITE_FLOOR,
};

function commandFor(converter: Converter, input: string, output: string, report: string): string[] {
  const io = ['--input', input, '--output', output, '--report', report];
  if (converter === 'bridge') return [CLI, 'backfill', ...io];
  return [PROGRAMS[converter], ...io];
}

/** The report's span count: `spansWritten` in both the CLI's and the naive converter's report. */
function readSpansWritten(reportPath: string): number | undefined {
  try {
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Record<string, unknown>;
    return typeof report['spansWritten'] === 'number' ? report['spansWritten'] : undefined;
  } catch {
    return undefined;
  }
}

/** What one converter's runs at one size gathered so far. */
interface Runs {
  converter: Converter;
  info: EventsFileInfo;
  measures: ChildMeasure[];
  loadBefore: number;
  outputBytes: number;
  spansWritten: number | undefined;
  error: string | undefined;
}

function newRuns(converter: Converter, info: EventsFileInfo): Runs {
  return {
    converter,
    info,
    measures: [],
    loadBefore: loadavg()[0]!,
    outputBytes: 0,
    spansWritten: undefined,
    error: undefined,
  };
}

/** One run of a converter; a failed run stops that converter's later runs. */
async function runOnce(runs: Runs, index: number, total: number, log: BackfillOptions['log']): Promise<void> {
  if (runs.error !== undefined) return;
  const { converter, info } = runs;
  const dir = mkdtempSync(join(tmpdir(), `alakai-bench-${converter}-`));
  const output = join(dir, 'spans.otlp.jsonl');
  const report = join(dir, 'report.json');
  try {
    const m = await measureNode(commandFor(converter, info.path, output, report), { cwd: ROOT });
    log(
      `  ${converter} ${info.summaryEvents} events, run ${index + 1}/${total}: ${m.wallS.toFixed(2)} s wall, ${m.cpuS.toFixed(2)} s CPU, ${m.maxRssMb.toFixed(0)} MB peak RSS`,
    );
    if (m.exitCode !== 0) {
      runs.error = `exit ${String(m.exitCode)}: ${m.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`;
      return;
    }
    runs.measures.push(m);
    runs.outputBytes = existsSync(output) ? statSync(output).size : 0;
    runs.spansWritten = readSpansWritten(report);
  } finally {
    // Outputs are large (GBs at 5M): never keep them around.
    rmSync(dir, { recursive: true, force: true });
  }
}

function figuresOf(runs: Runs): RunFigures {
  const { converter, info, measures } = runs;
  const wall = measures.map((m) => m.wallS);
  const wallS = median(wall);
  return {
    converter,
    summaryEvents: info.summaryEvents,
    inputBytes: info.bytes,
    runs: measures.length,
    wallS,
    wallMinS: Math.min(...wall),
    wallMaxS: Math.max(...wall),
    cpuS: median(measures.map((m) => m.cpuS)),
    eventsPerS: info.summaryEvents / wallS,
    eventsPerCpuS: info.summaryEvents / median(measures.map((m) => m.cpuS)),
    loadBefore: runs.loadBefore,
    loadAfter: loadavg()[0]!,
    inputBytesPerS: info.bytes / wallS,
    maxRssMb: Math.max(...measures.map((m) => m.maxRssMb)),
    outputBytes: runs.outputBytes,
    spansWritten: runs.spansWritten,
    complete: runs.spansWritten === info.summaryEvents,
    pinned: measures.every((m) => m.pinned),
    ...(runs.error ? { error: runs.error } : {}),
  };
}

/** Per-round ratios of bridge to write floor (rounds where both ran), as medians and ranges. */
function floorRatio(bridge: Runs, floor: Runs): FloorRatio | undefined {
  const n = Math.min(bridge.measures.length, floor.measures.length);
  if (n === 0 || bridge.error || floor.error) return undefined;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    wall.push(bridge.measures[i]!.wallS / floor.measures[i]!.wallS);
    cpu.push(bridge.measures[i]!.cpuS / floor.measures[i]!.cpuS);
  }
  const wallRatio = median(wall);
  const cpuRatio = median(cpu);
  return {
    at: bridge.info.summaryEvents,
    rounds: n,
    wallRatio,
    wallRange: [Math.min(...wall), Math.max(...wall)],
    cpuRatio,
    cpuRange: [Math.min(...cpu), Math.max(...cpu)],
    limit: FLOOR_RATIO_LIMIT,
    metWall: wallRatio <= FLOOR_RATIO_LIMIT,
    metCpu: cpuRatio <= FLOOR_RATIO_LIMIT,
  };
}

export async function runBackfillThroughput(opts: BackfillOptions): Promise<BackfillResult> {
  const sizes =
    opts.sizes ?? (opts.quick ? [20_000] : opts.scale ? [100_000, 1_000_000, 5_000_000] : [100_000, 1_000_000]);
  const bridgeBuilt = existsSync(join(ROOT, 'dist', 'cli', 'backfill.js'));
  const result: BackfillResult = { inputs: [], runs: [], targets: {}, scaling: [] };
  if (!bridgeBuilt) result.bridgeUnavailable = 'dist/cli/backfill.js not built (is src/cli/backfill.ts in the tree?)';

  for (const size of sizes) {
    opts.log(`backfill: input with ${size} summary events (generated once, then cached)`);
    const info = await ensureEventsFile(size);
    result.inputs.push(info);
    // Where a run is short, five rounds of the pair (the floor ratio is a median of pairs) and three
    // of the others (spread); one where a run takes minutes (its own spread is small).
    const repeats = opts.quick || size > 100_000 ? 1 : 5;
    const otherRepeats = opts.quick || size > 100_000 ? 1 : 3;
    const converters: Converter[] = [];
    if (bridgeBuilt) converters.push('bridge');
    if (size <= 1_000_000) converters.push('write-floor');
    if (size <= 1_000_000 || opts.naiveAtScale) converters.push('naive');
    if (size <= 1_000_000) converters.push('parse-floor');
    const all = converters.map((c) => newRuns(c, info));
    const bridge = all.find((r) => r.converter === 'bridge');
    const floor = all.find((r) => r.converter === 'write-floor');
    // The bridge and the write floor alternate round by round (the floor first every other round), so
    // each round's pair meets the same load; the others follow, as before.
    for (let i = 0; i < repeats; i++) {
      const pair = [bridge, floor].filter((r): r is Runs => r !== undefined);
      for (const r of i % 2 === 0 ? pair : pair.reverse()) await runOnce(r, i, repeats, opts.log);
    }
    for (const r of all) {
      if (r === bridge || r === floor) continue;
      for (let i = 0; i < otherRepeats; i++) await runOnce(r, i, otherRepeats, opts.log);
    }
    result.runs.push(...all.map(figuresOf));
    const ratio = bridge && floor ? floorRatio(bridge, floor) : undefined;
    if (ratio) (result.targets.vsFloor ??= []).push(ratio);
  }

  const ok = (r: RunFigures) => r.runs > 0 && !r.error;
  const bridgeRuns = result.runs.filter((r) => r.converter === 'bridge' && ok(r));
  const naiveRuns = result.runs.filter((r) => r.converter === 'naive' && ok(r));
  // Throughput and the naive ratio are judged at the largest size both ran (1M by default).
  const largestBoth = [...bridgeRuns].reverse().find((b) => naiveRuns.some((n) => n.summaryEvents === b.summaryEvents));
  const headline =
    bridgeRuns.find((r) => r.summaryEvents >= 1_000_000 && r.summaryEvents < 5_000_000) ?? bridgeRuns.at(-1);
  if (headline) {
    result.targets.eventsPerS = {
      wall: headline.eventsPerS,
      cpu: headline.eventsPerCpuS,
      at: headline.summaryEvents,
      limit: 100_000,
      metWall: headline.eventsPerS >= 100_000,
      metCpu: headline.eventsPerCpuS >= 100_000,
    };
  }
  if (largestBoth) {
    const naive = naiveRuns.find((n) => n.summaryEvents === largestBoth.summaryEvents)!;
    const wallRatio = largestBoth.eventsPerS / naive.eventsPerS;
    const cpuRatio = largestBoth.eventsPerCpuS / naive.eventsPerCpuS;
    result.targets.vsNaive = {
      wallRatio,
      cpuRatio,
      at: largestBoth.summaryEvents,
      limit: 3,
      metWall: wallRatio >= 3,
      metCpu: cpuRatio >= 3,
    };
  }
  const at5M = bridgeRuns.find((r) => r.summaryEvents >= 5_000_000);
  if (at5M) result.targets.rssAt5M = { valueMb: at5M.maxRssMb, limitMb: 256, met: at5M.maxRssMb <= 256 };
  for (let i = 1; i < bridgeRuns.length; i++) {
    const a = bridgeRuns[0]!;
    const b = bridgeRuns[i]!;
    result.scaling.push({
      from: a.summaryEvents,
      to: b.summaryEvents,
      perEventTimeRatio: b.wallS / b.summaryEvents / (a.wallS / a.summaryEvents),
      perEventCpuRatio: b.cpuS / b.summaryEvents / (a.cpuS / a.summaryEvents),
      rssRatio: b.maxRssMb / a.maxRssMb,
    });
  }
  return result;
}

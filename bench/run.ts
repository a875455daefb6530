/**
 * `npm run bench [-- flags]`: every benchmark of issue 6, each printing a table (stdout) and, with
 * `--json`, one JSON document instead (progress goes to stderr either way).
 *
 *   --quick            short smoke variant (CI proves the benches still run; figures mean little)
 *   --scale            also 5M events for the backfill scaling (several minutes; generates ~5.5 GB once)
 *   --naive-at-scale   with --scale, also run the naive converter at 5M events (~7 more minutes)
 *   --only NAME        `slice`, `backfill`, `cloudwatch` (reading a CloudWatch range, issue 13),
 *                      `query` (the p90/p99 query through the local engine against a hand loop, issue 15)
 *                      or `follow` (line-to-span lag of `alakai-otel follow` and memory per open trace, issue 14)
 *   --json             machine-readable results on stdout
 *   --sizes N[,N…]     backfill sizes to run instead (e.g. 5000000 alone); ALAKAI_BENCH_CPU picks the pinned CPU
 *   --json-file FILE   tables on stdout and the JSON results written to FILE
 *   --record-baseline  store this run's figures in bench/baseline.json (the others stay)
 *
 * Every full run ends with its figures next to the recorded ones in bench/baseline.json, and names
 * each one more than 10 % worse.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runBackfillThroughput, type BackfillResult } from './backfill/backfill-throughput.js';
import { runCloudWatchRange, type CloudWatchRangeResult } from './backfill/cloudwatch-range.js';
import { runFollowBench, type FollowBenchResult } from './follow-lag.js';
import { runQueryBench, type QueryBenchResult } from './query-percentiles.js';
import {
  compareWithBaseline,
  metricsOf,
  readBaseline,
  REGRESSION_LIMIT,
  withRecorded,
  writeBaseline,
  type Comparison,
} from './lib/baseline.js';
import { fmt } from './lib/stats.js';
import { formatTable } from './lib/table.js';
import { devNullSink } from './slice/fixture.js';
import { runLineParts, type LinePartResult } from './slice/line-parts.js';
import { runSliceOverhead, SAME_SIZE_LIMIT, type SliceOverheadResult } from './slice/slice-overhead.js';

interface Flags {
  quick: boolean;
  scale: boolean;
  naiveAtScale: boolean;
  json: boolean;
  jsonFile: string | undefined;
  sizes: number[] | undefined;
  only: 'slice' | 'backfill' | 'cloudwatch' | 'query' | 'follow' | undefined;
  recordBaseline: boolean;
}

const BASELINE = fileURLToPath(new URL('../../baseline.json', import.meta.url));

function parseFlags(argv: string[]): Flags {
  const flags: Flags = {
    quick: false,
    scale: false,
    naiveAtScale: false,
    json: false,
    jsonFile: undefined,
    sizes: undefined,
    only: undefined,
    recordBaseline: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') flags.quick = true;
    else if (a === '--record-baseline') flags.recordBaseline = true;
    else if (a === '--scale') flags.scale = true;
    else if (a === '--naive-at-scale') flags.naiveAtScale = true;
    else if (a === '--json') flags.json = true;
    else if (a === '--json-file' && argv[i + 1]) flags.jsonFile = argv[++i];
    else if (a === '--sizes' && /^[0-9]+(,[0-9]+)*$/.test(argv[i + 1] ?? ''))
      flags.sizes = argv[++i]!.split(',').map(Number);
    else if (a === '--only' && ['slice', 'backfill', 'cloudwatch', 'query', 'follow'].includes(argv[i + 1] ?? ''))
      flags.only = argv[++i] as Flags['only'];
    else throw new Error(`unknown flag ${String(a).slice(0, 40)} (see bench/run.ts)`);
  }
  return flags;
}

function environment(): Record<string, unknown> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    // Not a git checkout: leave it unknown.
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    cores: availableParallelism(),
    loadAverage1m: loadavg()[0],
    cpu: cpus()[0]?.model ?? 'unknown',
    commit,
  };
}

function sliceTable(r: SliceOverheadResult): string {
  const rows = r.scenarios.map((s) => [
    s.name,
    fmt(s.usPerSlice),
    `${fmt(s.p10)}–${fmt(s.p90)}`,
    `±${fmt(s.madPct, 2)}%`,
    fmt(s.cpuUsPerSlice),
    String(s.samples),
    fmt(s.spansPerSlice, 2),
    fmt(s.bytesPerSlice, 3),
  ]);
  let text = `Slice overhead: one 4-step slice, µs per slice (median of ${r.samples} interleaved samples of ${r.batch} slices)\n`;
  text += formatTable(
    ['scenario', 'µs/slice', 'p10–p90', 'MAD', 'CPU µs/slice', 'samples', 'spans/slice', 'log bytes/slice'],
    rows,
  );
  if (r.target) {
    const t = r.target;
    text += `wall, paired medians: (c)−(a) = ${fmt(t.cMinusA)} µs; 1.25×((b)−(a)) = ${fmt(t.limit)} µs; ratio (c−a)/(b−a) = ${fmt(t.ratio)} (target ≤ 1.25) → ${t.met ? 'MET' : 'MISSED'}\n`;
    if (r.cpuTarget) {
      const c = r.cpuTarget;
      text += `CPU, means:          (c)−(a) = ${fmt(c.cMinusA)} µs; 1.25×((b)−(a)) = ${fmt(c.limit)} µs; ratio (c−a)/(b−a) = ${fmt(c.ratio)} (target ≤ 1.25) → ${c.met ? 'MET' : 'MISSED'}\n`;
    }
    if (r.sameSize) {
      const s = r.sameSize;
      text += `issue 12, against a hand-written line of the bridge's size: (b′)−(a) = ${fmt(s.bPrimeMinusA)} µs wall / ${fmt(s.cpuBPrimeMinusA)} µs CPU; (c−a)/(b′−a) = ${fmt(s.ratio)} wall → ${s.met ? 'MET' : 'MISSED'} / ${fmt(s.cpuRatio)} CPU → ${s.cpuMet ? 'MET' : 'MISSED'} (target ≤ ${SAME_SIZE_LIMIT})\n`;
    }
  } else {
    text += `(c) not measured: ${r.bridgeUnavailable ?? 'bridge scenario missing'}\n`;
  }
  return text;
}

function linePartsTable(parts: LinePartResult[]): string {
  const rows = parts.map((p) => [p.name, fmt(p.usMedian), `±${fmt(p.madPct, 2)}%`, String(p.samples)]);
  return (
    'Where (c) spends its extra time: parts of the bridge line path, one real slice, tinybench\n' +
    formatTable(['part', 'µs (median)', 'MAD', 'samples'], rows)
  );
}

function backfillTable(r: BackfillResult): string {
  const rows = r.runs.map((x) => [
    x.converter,
    x.summaryEvents.toLocaleString('en-US'),
    x.error ? 'FAILED' : fmt(x.wallS),
    x.error ? '' : `${fmt(x.wallMinS)}–${fmt(x.wallMaxS)}`,
    x.error ? '' : fmt(x.cpuS),
    x.error ? '' : fmt(x.eventsPerS),
    x.error ? '' : fmt(x.eventsPerCpuS),
    x.error ? '' : fmt(x.inputBytesPerS / 1e6),
    x.error ? '' : fmt(x.maxRssMb),
    x.error ? '' : fmt(x.outputBytes / 1e6),
    x.error ? x.error.slice(0, 60) : x.complete ? 'yes' : `NO (${String(x.spansWritten)})`,
    `${fmt(x.loadBefore, 2)}/${fmt(x.loadAfter, 2)}`,
  ]);
  let text = 'Backfill: NDJSON → OTLP/JSON lines, one child process per run, pinned to one CPU\n';
  text += formatTable(
    [
      'converter',
      'events',
      'wall s',
      'range',
      'cpu s',
      'events/s',
      'events/cpu-s',
      'input MB/s',
      'peak RSS MB',
      'output MB',
      '1 span/event',
      'load',
    ],
    rows,
  );
  if (r.bridgeUnavailable) text += `bridge not measured: ${r.bridgeUnavailable}\n`;
  const t = r.targets;
  const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED');
  if (t.eventsPerS) {
    const e = t.eventsPerS;
    text += `throughput at ${e.at.toLocaleString('en-US')}: ${fmt(e.wall)} events/s wall → ${verdict(e.metWall)}; ${fmt(e.cpu)} events/CPU-s → ${verdict(e.metCpu)} (target ≥ 100,000)\n`;
  }
  if (t.vsNaive) {
    const v = t.vsNaive;
    text += `vs naive at ${v.at.toLocaleString('en-US')}: ${fmt(v.wallRatio)}× wall → ${verdict(v.metWall)}; ${fmt(v.cpuRatio)}× CPU → ${verdict(v.metCpu)} (target ≥ 3×)\n`;
  }
  for (const f of t.vsFloor ?? []) {
    const range = (r: [number, number]) => `${fmt(r[0], 3)}–${fmt(r[1], 3)}`;
    text += `vs write floor at ${f.at.toLocaleString('en-US')} (median of ${f.rounds} paired rounds): ${fmt(f.wallRatio, 3)}× wall (${range(f.wallRange)}) → ${verdict(f.metWall)}; ${fmt(f.cpuRatio, 3)}× CPU (${range(f.cpuRange)}) → ${verdict(f.metCpu)} (target ≤ ${f.limit}×)\n`;
  }
  text += t.rssAt5M
    ? `peak RSS at 5M: ${fmt(t.rssAt5M.valueMb)} MB (target ≤ 256) → ${t.rssAt5M.met ? 'MET' : 'MISSED'}\n`
    : 'peak RSS at 5M: not run (add --scale)\n';
  for (const s of r.scaling) {
    text += `scaling ${s.from.toLocaleString('en-US')} → ${s.to.toLocaleString('en-US')}: wall per event ×${fmt(s.perEventTimeRatio)}, CPU per event ×${fmt(s.perEventCpuRatio)} (1 = linear), peak RSS ×${fmt(s.rssRatio)} (1 = flat)\n`;
  }
  return text;
}

function cloudWatchTable(r: CloudWatchRangeResult): string {
  let text = 'CloudWatch range: an empty 30-day range, 3 log groups (in-process endpoint, real SDK client)\n';
  text += formatTable(
    ['reader', 'seconds', 'calls'],
    [
      ...r.emptyRange.map((e) => [e.reader, fmt(e.seconds), String(e.calls)]),
      [
        'filter, per 10-min window (before; computed at 5 TPS)',
        fmt(r.perWindowFilterBefore.seconds),
        String(r.perWindowFilterBefore.calls),
      ],
    ],
  );
  text += '\nRows through the Logs Insights source (one group, fixture lines)\n';
  text += formatTable(
    ['limit', 'rows', 'queries', 'seconds', 'rows/s'],
    r.rowsThroughInsights.map((x) => [
      x.rowLimit.toLocaleString('en-US'),
      x.rows.toLocaleString('en-US'),
      String(x.queries),
      fmt(x.seconds),
      fmt(x.rowsPerS),
    ]),
  );
  return text;
}

function baselineTable(rows: Comparison[]): string {
  if (rows.length === 0)
    return 'vs recorded baseline: nothing recorded for these figures (bench/baseline.json; --record-baseline)\n';
  const table = rows.map((r) => [
    r.name,
    fmt(r.recorded.value),
    fmt(r.now.value),
    `${r.now.value >= r.recorded.value ? '+' : ''}${fmt((100 * (r.now.value - r.recorded.value)) / r.recorded.value, 2)}%`,
    `${r.recorded.commit}, load ${fmt(r.recorded.load, 2)}`,
    r.regressed ? `WORSE by > ${100 * REGRESSION_LIMIT}%` : 'ok',
  ]);
  const regressed = rows.filter((r) => r.regressed).length;
  return (
    `vs recorded baseline (bench/baseline.json): ${regressed === 0 ? 'no figure' : `${regressed} figure(s)`} more than ${100 * REGRESSION_LIMIT}% worse\n` +
    formatTable(['figure', 'recorded', 'now', 'change', 'recorded at', 'verdict'], table)
  );
}

function queryTable(r: QueryBenchResult): string {
  return (
    `Query: the guide's p90/p99 query over ${r.events.toLocaleString('en-US')} parsed events (median of ${r.rounds} paired rounds)\n` +
    formatTable(
      ['side', 'rows/s'],
      [
        ['local engine (parse, plan, filter like /./, stats pct by event, component, sort)', fmt(r.engineRowsPerS)],
        ['floor: hand-written loop, same events, same answer', fmt(r.floorRowsPerS)],
      ],
    ) +
    `engine time / floor time = ${fmt(r.ratio)}\n`
  );
}

function followTable(r: FollowBenchResult): string {
  let text = `Follow lag: legacy lines appended in real time to 3 files for ${fmt(r.durationS)} s each, built CLI with --output FILE (tail poll ${r.tailPollMs} ms = the baseline)\n`;
  text += formatTable(
    [
      'rate',
      'executions/s',
      'summary lines/s',
      'lines/s',
      'spans',
      'not seen',
      'p50 ms',
      'p99 ms',
      'max ms',
      'p50/poll',
      'p99/poll',
    ],
    r.rates.map((x) => [
      x.name,
      fmt(x.executionsPerS),
      fmt(x.summaryLinesPerS),
      fmt(x.linesPerS),
      String(x.summaryLines),
      String(x.unmatched),
      fmt(x.p50Ms),
      fmt(x.p99Ms),
      fmt(x.maxMs),
      fmt(x.p50OverPoll),
      fmt(x.p99OverPoll),
    ]),
  );
  text += '\nFollow memory: open traces in a FollowAssembler, heap after forced GC − before, per trace\n';
  text += formatTable(
    ['lines', 'traces', 'lines kept', 'heap bytes/trace', 'raw line bytes/trace', 'heap / raw'],
    r.memory.map((m) => [
      m.kind,
      m.traces.toLocaleString('en-US'),
      m.linesKept.toLocaleString('en-US'),
      fmt(m.bytesPerTrace),
      fmt(m.rawBytesPerTrace),
      fmt(m.ratio),
    ]),
  );
  return text;
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  const log = (line: string) => process.stderr.write(line + '\n');
  const out: Record<string, unknown> = { environment: environment(), flags };
  if (!flags.json) {
    const e = out['environment'] as Record<string, unknown>;
    process.stdout.write(
      `alakai-otel benchmarks — ${String(e['date'])}, Node ${String(e['node'])}, ${String(e['cores'])} cores (${String(e['cpu'])}), commit ${String(e['commit'])}, load ${String(e['loadAverage1m'])}${flags.quick ? ', QUICK' : ''}\n\n`,
    );
  }
  if (flags.only === undefined || flags.only === 'slice') {
    log('slice overhead: running (a), (b), (c)…');
    const slice = await runSliceOverhead({ quick: flags.quick });
    out['sliceOverhead'] = slice;
    if (!flags.json) process.stdout.write(sliceTable(slice) + '\n');
    if (!slice.bridgeUnavailable) {
      const sink = await devNullSink();
      const parts = await runLineParts(sink, flags.quick);
      await sink.close();
      out['lineParts'] = parts;
      if (!flags.json) process.stdout.write(linePartsTable(parts) + '\n');
    }
  }
  if (flags.only === undefined || flags.only === 'backfill') {
    const backfill = await runBackfillThroughput({
      quick: flags.quick,
      scale: flags.scale,
      naiveAtScale: flags.naiveAtScale,
      sizes: flags.sizes,
      log,
    });
    out['backfill'] = backfill;
    if (!flags.json) process.stdout.write(backfillTable(backfill));
  }
  if (flags.only === undefined || flags.only === 'cloudwatch') {
    const cloudWatch = await runCloudWatchRange({ quick: flags.quick, log });
    out['cloudWatchRange'] = cloudWatch;
    if (!flags.json) process.stdout.write('\n' + cloudWatchTable(cloudWatch));
  }
  if (flags.only === undefined || flags.only === 'query') {
    const query = runQueryBench({ quick: flags.quick, log });
    out['queryPercentiles'] = query;
    if (!flags.json) process.stdout.write('\n' + queryTable(query));
  }
  if (flags.only === undefined || flags.only === 'follow') {
    const follow = await runFollowBench({ quick: flags.quick, log });
    out['follow'] = follow;
    if (!flags.json) process.stdout.write('\n' + followTable(follow));
  }
  if (!flags.quick) {
    const metrics = metricsOf(
      out['sliceOverhead'] as SliceOverheadResult | undefined,
      out['backfill'] as BackfillResult | undefined,
    );
    const baseline = readBaseline(BASELINE);
    const comparison = compareWithBaseline(baseline, metrics);
    out['vsBaseline'] = comparison;
    if (!flags.json) process.stdout.write('\n' + baselineTable(comparison));
    if (flags.recordBaseline) {
      const e = out['environment'] as { commit: string; date: string; loadAverage1m: number };
      writeBaseline(
        BASELINE,
        withRecorded(baseline, metrics, { commit: e.commit, date: e.date, load: e.loadAverage1m }),
      );
      log(`recorded ${Object.keys(metrics).length} figures in ${BASELINE}`);
    }
  } else if (flags.recordBaseline) {
    log('--record-baseline ignored with --quick: its figures mean little');
  }
  if (flags.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  if (flags.jsonFile) writeFileSync(flags.jsonFile, JSON.stringify(out, null, 2) + '\n');
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);

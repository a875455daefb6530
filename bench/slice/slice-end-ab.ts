/**
 * The slice end alone, two builds in one process: `toSpanRecord` of one captured slice,
 * `sliceToSummaryEvent`, and (second table row) `writeSummaryLine` into the benchmark's sink.
 * Rounds of each build alternate, so load from other processes meets both alike; the figure is
 * the median of the paired CPU ratios (an A/A pair gives 1.00). For a change too small for the
 * whole slice benchmark to resolve on a loaded machine (docs/benchmarks.md, issue 12):
 *   cp -r bench/.build /tmp/base-build   # at the base commit, after `npx tsc -p bench/tsconfig.json`
 *   taskset -c 0 node bench/.build/bench/slice/slice-end-ab.js /tmp/base-build bench/.build
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from '../lib/stats.js';

interface SliceEnd {
  run(n: number, write: boolean): void;
  drain(): Promise<void>;
  close(): Promise<void>;
}

async function load(root: string): Promise<SliceEnd> {
  const from = (path: string) => import(pathToFileURL(resolve(root, path)).href);
  const fixture = (await from('bench/slice/fixture.js')) as typeof import('./fixture.js');
  const scenario = (await from('bench/slice/bridge-scenario.js')) as typeof import('./bridge-scenario.js');
  const toEvent = (await from(
    'src/contract/spans-to-event.js',
  )) as typeof import('../../src/contract/spans-to-event.js');
  const records = (await from('src/sdk/readable-span.js')) as typeof import('../../src/sdk/readable-span.js');
  const line = (await from('src/sdk/summary-line.js')) as typeof import('../../src/sdk/summary-line.js');
  const sink = await fixture.devNullSink();
  const { slice, steps } = await scenario.captureSlice(sink);
  const stepRecords = steps.map(records.toSpanRecord);
  const logger = fixture.serviceLogger(sink.stream);
  return {
    run(n, write) {
      for (let i = 0; i < n; i++) {
        const event = toEvent.sliceToSummaryEvent(records.toSpanRecord(slice), stepRecords);
        if (write) line.writeSummaryLine(logger, event);
      }
    },
    drain: () => sink.drain(),
    close: () => sink.close(),
  };
}

const [baseRoot, candidateRoot] = process.argv.slice(2);
if (!baseRoot || !candidateRoot) throw new Error('usage: slice-end-ab.js <base build root> <candidate build root>');
const base = await load(baseRoot);
const candidate = await load(candidateRoot);
const ROUNDS = 16;
const PER_ROUND = 3000;

async function cpuPerCall(x: SliceEnd, write: boolean): Promise<number> {
  const c0 = process.cpuUsage();
  x.run(PER_ROUND, write);
  await x.drain();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / PER_ROUND;
}

for (const write of [false, true]) {
  for (const x of [base, candidate]) {
    x.run(20_000, write);
    await x.drain();
  }
  const ratios: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const first = r % 2 ? base : candidate;
    const x = await cpuPerCall(first, write);
    const y = await cpuPerCall(first === base ? candidate : base, write);
    const [tb, tc] = first === base ? [x, y] : [y, x];
    b.push(tb);
    c.push(tc);
    ratios.push(tc / tb);
  }
  process.stdout.write(
    `${write ? 'build and write' : 'build only     '}  base ${median(b).toFixed(2)} µs CPU, candidate ${median(c).toFixed(2)}; ` +
      `paired ratio median ${median(ratios).toFixed(3)}\n`,
  );
}
await base.close();
await candidate.close();

/**
 * Writes the backfill benchmark's input: NDJSON log lines of the three services merged in time
 * order, as `aws logs` exports or a log shipper would hand them over. Deterministic for a given
 * (summary event count, seed): same bytes every time, so figures from different runs compare.
 *
 * Generated once per size into a cache folder (ALAKAI_BENCH_CACHE, default $TMPDIR/alakai-otel-bench)
 * and reused: 5M events is several GB and takes a minute to write.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionModel, type LogLine } from './execution-model.js';
import { SeededRandom } from '../../src/demo/prng.js';
import { MinHeap } from '../../src/backfill/assembly/min-heap.js';

/** Bump when the model or the line format changes: cached files of older versions are not reused. */
const GENERATOR_VERSION = 1;
const DEFAULT_SEED = 20260505;
/** 2026-03-01T00:00:00Z: inside the guide's era, fixed so the file is the same on every machine. */
const EPOCH_MS = Date.UTC(2026, 2, 1);
/** Mean gap between execution starts: ~5 per second, so hundreds of executions overlap in time. */
const MEAN_GAP_MS = 200;

export interface EventsFileInfo {
  path: string;
  summaryEvents: number;
  stepLines: number;
  noiseLines: number;
  lines: number;
  bytes: number;
  executions: number;
  generatorVersion: number;
  seed: number;
}

export function benchCacheDir(): string {
  const dir = process.env['ALAKAI_BENCH_CACHE'] ?? join(tmpdir(), 'alakai-otel-bench');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Lines by (time, seq): the merge that puts overlapping executions in time order. */
function lineBefore(a: LogLine, b: LogLine): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}

function render(line: LogLine): string {
  line.fields['time'] = new Date(line.timeMs).toISOString();
  return JSON.stringify(line.fields);
}

const NOISE = ['GET /health 200', 'sqs poll: 0 messages', 'redis: connection ready', 'slack: socket reconnected'];

/** Generates the file (or reuses the cached one) with at least `summaryEvents` summary events. */
export async function ensureEventsFile(summaryEvents: number, seed = DEFAULT_SEED): Promise<EventsFileInfo> {
  const base = join(benchCacheDir(), `events-v${GENERATOR_VERSION}-seed${seed}-${summaryEvents}`);
  const path = `${base}.ndjson`;
  const metaPath = `${base}.meta.json`;
  if (existsSync(path) && existsSync(metaPath)) {
    return JSON.parse(readFileSync(metaPath, 'utf8')) as EventsFileInfo;
  }
  const tmp = `${path}.${process.pid}.partial`;
  const out = createWriteStream(tmp);
  const model = new ExecutionModel(seed);
  const gaps = new SeededRandom(seed ^ 0x5bd1e995);
  const heap = new MinHeap<LogLine>(lineBefore);
  const info: EventsFileInfo = {
    path,
    summaryEvents: 0,
    stepLines: 0,
    noiseLines: 0,
    lines: 0,
    bytes: 0,
    executions: 0,
    generatorVersion: GENERATOR_VERSION,
    seed,
  };
  let chunk: string[] = [];
  const flushChunk = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const text = chunk.join('\n') + '\n';
    chunk = [];
    info.bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  const emit = (line: LogLine): void => {
    chunk.push(render(line));
    info.lines++;
    if (line.isSummary) info.summaryEvents++;
    else if (line.fields['trace_id'] === undefined) info.noiseLines++;
    else info.stepLines++;
  };

  let clock = EPOCH_MS;
  let produced = 0;
  while (produced < summaryEvents) {
    // Exponential gaps: executions arrive as a Poisson stream.
    clock += Math.max(1, Math.round(-Math.log(1 - gaps.next()) * MEAN_GAP_MS));
    // Every line already queued before this start can be written: later executions start later.
    while (heap.size > 0 && heap.peek()!.timeMs < clock) emit(heap.pop()!);
    if (chunk.length >= 4096) await flushChunk();
    for (const line of model.next(clock)) {
      heap.push(line);
      if (line.isSummary) produced++;
    }
    info.executions++;
    if (gaps.next() < 0.05) {
      heap.push({
        timeMs: clock,
        seq: -info.executions,
        isSummary: false,
        fields: { level: 30, time: '', pid: 7, hostname: 'ip-10-0-1-17', service: 'alakai-core', msg: gaps.pick(NOISE) },
      });
    }
  }
  while (heap.size > 0) emit(heap.pop()!);
  await flushChunk();
  out.end();
  await once(out, 'finish');
  renameSync(tmp, path);
  writeFileSync(metaPath, JSON.stringify(info, null, 2));
  return info;
}

// `node bench/.build/bench/data/generate-events.js 1000000` generates (or finds) one file.
if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1000);
  ensureEventsFile(n).then(
    (info) => process.stdout.write(JSON.stringify(info) + '\n'),
    (err: unknown) => {
      process.stderr.write(`generate-events: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * `npm run bench -- --only follow` (issue 14, "Benchmark"): how long a line written by a service
 * takes to come out of `alakai-otel follow` as a span, and how much memory an open trace holds.
 *
 * LAG: the built CLI as a child process tails three files (core, orchestrator, worker) with
 * `--output FILE`; this process appends hand-written (legacy) lines of the guide's shape to them in
 * real time — executions from bench/data/execution-model.ts with their durations scaled by
 * TIME_SCALE so whole executions (core → orchestrator → worker) happen within the run — and polls
 * the output file. Lag of a span = when its OTLP/JSON line was first seen in the output − when the
 * append of its summary line returned. It includes the tailer's poll (DEFAULT_TAIL_POLL_MS), the
 * causal wait (a core slice goes at once; an orchestrator or worker slice when its parent's file
 * was polled too), the converter's linger before a batch is written, and this side's own output
 * poll (OUTPUT_POLL_MS). The baseline in the same run is the tailer's poll interval: lag / poll is
 * how many poll intervals a span waits, a figure that stays comparable if the interval changes.
 *
 * MEMORY: a FollowAssembler in-process with N open traces (whole executions, their lines fed with
 * one clock value and a trace window that keeps them open), heap after a forced GC − heap before,
 * per trace, against the UTF-8 size of the lines it keeps (the baseline: what a window must hold).
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ExecutionModel, type LogLine } from './data/execution-model.js';
import { SeededRandom } from '../src/demo/prng.js';
import { FollowAssembler } from '../src/follow/follow-assembler.js';
import { DEFAULT_TAIL_POLL_MS } from '../src/follow/sources/tail-file-source.js';

const CLI = fileURLToPath(new URL('../../../bin/alakai-otel.js', import.meta.url));
const COMPONENTS = ['core', 'orchestrator', 'worker'] as const;
type Component = (typeof COMPONENTS)[number];
/** The model's slice durations ×this: a worker's 20–300 s become 0.2–3 s, so executions finish within a run. */
export const TIME_SCALE = 0.01;
/** How often this side reads the output file (adds up to this much to each lag). */
const OUTPUT_POLL_MS = 5;
/** The realistic rate: executions started per second (the backfill bench's model rate, ~5/s). */
export const BASE_EXECUTIONS_PER_S = 5;

export interface ScheduledLine {
  atMs: number;
  component: Component;
  text: string;
  /** Set for a summary line: the key its slice span is found under (trace id + end time). */
  key?: string;
}

/** OTLP trace id of the model's uuid trace_id (its 32 hex digits). */
function otlpTraceId(uuid: string): string {
  return uuid.replaceAll('-', '').toLowerCase();
}

export function spanKey(traceId: string, endMs: number): string {
  return `${traceId}:${endMs}`;
}

/**
 * Lines of executions started every 1000/rate ms over `durationMs` from `t0`, at their scaled
 * times (their `time` field and `duration_ms` scaled alike), in write order; lines due after the
 * run's end are left out (those executions stay unfinished, which a live stream has too).
 */
export function scheduleLines(executionsPerS: number, durationMs: number, t0: number, seed: number): ScheduledLine[] {
  const model = new ExecutionModel(seed);
  const gap = 1000 / executionsPerS;
  const raw: { line: LogLine; atMs: number }[] = [];
  for (let start = 0; start < durationMs; start += gap) {
    for (const line of model.next(0)) raw.push({ line, atMs: t0 + Math.round(start + line.timeMs * TIME_SCALE) });
  }
  raw.sort((a, b) => a.atMs - b.atMs || a.line.seq - b.line.seq);
  const out: ScheduledLine[] = [];
  for (const { line, atMs } of raw) {
    if (atMs >= t0 + durationMs) break;
    const fields: Record<string, unknown> = { ...line.fields, time: new Date(atMs).toISOString() };
    if (typeof fields['duration_ms'] === 'number')
      fields['duration_ms'] = Math.round(fields['duration_ms'] * TIME_SCALE);
    const component = fields['component'] as Component;
    const traceId = otlpTraceId(String(fields['trace_id']));
    out.push({
      atMs,
      component,
      text: JSON.stringify(fields),
      ...(line.isSummary ? { key: spanKey(traceId, atMs) } : {}),
    });
  }
  return out;
}

/** (traceId, end ms) of every span in one OTLP/JSON request line. */
export function spanKeysOfLine(line: string): string[] {
  const keys: string[] = [];
  const req = JSON.parse(line) as {
    resourceSpans?: { scopeSpans?: { spans?: { traceId?: string; endTimeUnixNano?: string }[] }[] }[];
  };
  for (const rs of req.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? []) {
        if (typeof s.traceId !== 'string' || typeof s.endTimeUnixNano !== 'string') continue;
        keys.push(spanKey(s.traceId, Number(BigInt(s.endTimeUnixNano) / 1_000_000n)));
      }
  return keys;
}

/** The lag of each summary line: first time its key was seen − when it was written; missing ones counted. */
export function lagsOf(
  written: ReadonlyMap<string, number>,
  seen: ReadonlyMap<string, number>,
): { lags: number[]; unmatched: number } {
  const lags: number[] = [];
  let unmatched = 0;
  for (const [key, at] of written) {
    const s = seen.get(key);
    if (s === undefined) unmatched++;
    else lags.push(Math.max(0, s - at));
  }
  return { lags: lags.sort((a, b) => a - b), unmatched };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads whole lines appended to `path` since the last call. */
class OutputReader {
  private offset = 0;
  private rest = '';
  constructor(private readonly path: string) {}
  async read(): Promise<string[]> {
    const fh = await open(this.path, 'r').catch(() => undefined);
    if (!fh) return [];
    try {
      const { size } = await fh.stat();
      if (size <= this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      const parts = (this.rest + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
      this.rest = parts.pop() ?? '';
      return parts.filter((l) => l !== '');
    } finally {
      await fh.close();
    }
  }
}

export interface FollowLagRate {
  name: string;
  executionsPerS: number;
  summaryLinesPerS: number;
  linesPerS: number;
  summaryLines: number;
  unmatched: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  p50OverPoll: number;
  p99OverPoll: number;
}

export async function runLagAt(
  name: string,
  executionsPerS: number,
  durationMs: number,
  log: (l: string) => void,
): Promise<FollowLagRate> {
  const dir = await mkdtemp(join(tmpdir(), 'alakai-follow-bench-'));
  try {
    const files = Object.fromEntries(COMPONENTS.map((c) => [c, join(dir, `${c}.ndjson`)])) as Record<Component, string>;
    for (const f of Object.values(files)) await writeFile(f, '');
    const output = join(dir, 'follow.otlp.jsonl');
    let stderr = '';
    const child = spawn(
      process.execPath,
      [CLI, 'follow', '--input', ...Object.values(files), '--output', output, '--status-interval', '1s'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let i = 0; !stderr.includes('alakai-otel follow: lines'); i++) {
      if (i > 600 || child.exitCode !== null) throw new Error(`follow did not start: ${stderr.slice(-400)}`);
      await sleep(20);
    }
    const reader = new OutputReader(output);
    const seen = new Map<string, number>();
    const collect = async () => {
      const lines = await reader.read();
      const now = Date.now();
      for (const l of lines) for (const k of spanKeysOfLine(l)) if (!seen.has(k)) seen.set(k, now);
    };
    let writing = true;
    const poller = (async () => {
      while (writing) {
        await collect();
        await sleep(OUTPUT_POLL_MS);
      }
    })();

    const t0 = Date.now() + 50;
    const schedule = scheduleLines(executionsPerS, durationMs, t0, 20261202);
    const written = new Map<string, number>();
    let i = 0;
    while (i < schedule.length) {
      const now = Date.now();
      if (schedule[i]!.atMs > now) {
        await sleep(Math.min(5, schedule[i]!.atMs - now));
        continue;
      }
      const batch: ScheduledLine[] = [];
      while (i < schedule.length && schedule[i]!.atMs <= now) batch.push(schedule[i++]!);
      for (const c of COMPONENTS) {
        const mine = batch.filter((l) => l.component === c);
        if (mine.length === 0) continue;
        await appendFile(files[c], mine.map((l) => l.text + '\n').join(''));
        const at = Date.now();
        for (const l of mine) if (l.key !== undefined) written.set(l.key, at);
      }
    }
    // Every slice written has its parent written before it: all should come out well within the hold.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && [...written.keys()].some((k) => !seen.has(k))) await sleep(50);
    writing = false;
    await poller;
    await collect();
    child.kill('SIGTERM');
    await exited;
    const { lags, unmatched } = lagsOf(written, seen);
    const seconds = durationMs / 1000;
    const r: FollowLagRate = {
      name,
      executionsPerS,
      summaryLinesPerS: written.size / seconds,
      linesPerS: schedule.length / seconds,
      summaryLines: written.size,
      unmatched,
      p50Ms: percentile(lags, 50),
      p99Ms: percentile(lags, 99),
      maxMs: lags.at(-1) ?? NaN,
      p50OverPoll: percentile(lags, 50) / DEFAULT_TAIL_POLL_MS,
      p99OverPoll: percentile(lags, 99) / DEFAULT_TAIL_POLL_MS,
    };
    log(`follow lag ${name}: ${written.size} summary lines, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`);
    return r;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface FollowMemoryRow {
  kind: string;
  traces: number;
  linesKept: number;
  bytesPerTrace: number;
  rawBytesPerTrace: number;
  ratio: number;
}

function forcedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** One execution's lines (its trace id, and the lines in write order). */
export interface ExecutionLines {
  traceId: string;
  lines: string[];
}

/** `count` whole legacy executions of the model (bench/data/execution-model.ts). */
export function legacyExecutions(count: number): ExecutionLines[] {
  const model = new ExecutionModel(7);
  const out: ExecutionLines[] = [];
  for (let i = 0; i < count; i++) {
    const lines = model.next(Date.UTC(2026, 2, 1) + i * 200);
    out.push({
      traceId: String(lines[0]?.fields['trace_id']),
      lines: lines.map((l) => JSON.stringify({ ...l.fields, time: new Date(l.timeMs).toISOString() })),
    });
  }
  return out;
}

/**
 * Bridged executions: the demo's own services' lines (`alakai-otel demo`, span ids in every
 * summary event), `sample` executions run once, then copied with a fresh trace id per copy (the
 * uuid replaced wherever it appears) up to `count` — the same shape and sizes, distinct traces.
 */
export async function bridgedExecutions(count: number, sample: number): Promise<ExecutionLines[]> {
  const dir = await mkdtemp(join(tmpdir(), 'alakai-follow-bench-demo-'));
  try {
    const cli = spawnSync(
      process.execPath,
      [CLI, 'demo', '--out', join(dir, 'demo'), '--executions', String(sample), '--seed', '20261202'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (cli.status !== 0) throw new Error(`demo failed: ${cli.stderr.toString().slice(-400)}`);
    const byTrace = new Map<string, string[]>();
    for (const c of COMPONENTS)
      for (const line of (await readFile(join(dir, 'demo', 'logs', `${c}.ndjson`), 'utf8')).split('\n')) {
        const id = /"trace_id":"([0-9a-f-]{36})"/.exec(line)?.[1];
        if (id === undefined) continue;
        const ls = byTrace.get(id) ?? [];
        ls.push(line);
        byTrace.set(id, ls);
      }
    const samples = [...byTrace].map(([traceId, lines]) => ({ traceId, lines }));
    if (samples.length === 0) throw new Error('demo wrote no traced lines');
    const rng = new SeededRandom(5);
    const out: ExecutionLines[] = [];
    for (let i = 0; i < count; i++) {
      const s = samples[i % samples.length]!;
      const h = rng.hex(32);
      const fresh = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
      const hexOld = s.traceId.replaceAll('-', '');
      const hexNew = fresh.replaceAll('-', '');
      out.push({
        traceId: fresh,
        lines: s.lines.map((l) => l.replaceAll(s.traceId, fresh).replaceAll(hexOld, hexNew)),
      });
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The executions held open in a FollowAssembler: heap per trace against the UTF-8 size of their lines. */
export function runMemory(kind: string, executions: readonly ExecutionLines[]): FollowMemoryRow {
  const gc = forcedGc();
  let raw = 0;
  let lines = 0;
  for (const e of executions) {
    for (const t of e.lines) raw += Buffer.byteLength(t);
    lines += e.lines.length;
  }
  const traces = executions.length;
  // Held outside the JS heap until fed: the strings the assembler keeps are made after `before`
  // and belong to it alone, as a source's lines do (shared strings would hide their bytes).
  const encoded = executions.map((e) => Buffer.from(e.lines.join('\n')));
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const assembler = new FollowAssembler({
    holdMs: 15_000,
    traceWindowMs: 3_600_000,
    maxOpenTraces: traces + 1,
    maxLinesPerTrace: 10_000,
  });
  const now = Date.now();
  for (const buf of encoded) {
    for (const text of buf.toString('utf8').split('\n')) assembler.add({ text }, now);
    // What was released is sent and forgotten here, as the runner hands it to the converter.
    assembler.release(now);
  }
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const openTraces = assembler.counters().openTraces;
  if (openTraces !== traces) throw new Error(`expected ${traces} open traces, the assembler holds ${openTraces}`);
  const bytesPerTrace = (after - before) / traces;
  return {
    kind,
    traces,
    linesKept: lines,
    bytesPerTrace,
    rawBytesPerTrace: raw / traces,
    ratio: bytesPerTrace / (raw / traces),
  };
}

export interface FollowBenchResult {
  tailPollMs: number;
  timeScale: number;
  durationS: number;
  rates: FollowLagRate[];
  memory: FollowMemoryRow[];
}

export async function runFollowBench(options: {
  quick: boolean;
  log: (l: string) => void;
}): Promise<FollowBenchResult> {
  const durationMs = options.quick ? 3000 : 12_000;
  const rates = [
    await runLagAt('realistic', BASE_EXECUTIONS_PER_S, durationMs, options.log),
    await runLagAt('10×', 10 * BASE_EXECUTIONS_PER_S, durationMs, options.log),
  ];
  const traces = options.quick ? 2000 : 20_000;
  options.log(`follow memory: ${traces} open traces, legacy then bridged (the demo run once)…`);
  const memory = [
    runMemory('legacy', legacyExecutions(traces)),
    runMemory('bridged', await bridgedExecutions(traces, options.quick ? 20 : 100)),
  ];
  return { tailPollMs: DEFAULT_TAIL_POLL_MS, timeScale: TIME_SCALE, durationS: durationMs / 1000, rates, memory };
}

/**
 * One fixture factory for the demo tests: runs the built CLI (`node bin/alakai-otel.js demo`, built
 * by the unit suite's global setup, test/unit/harness/global-setup.ts) into a fresh temporary folder and loads what it wrote, the way a user
 * would read it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { fromOtlpRequest } from '../../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';

const run = promisify(execFile);
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const CLI = join(REPO_ROOT, 'bin', 'alakai-otel.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; never throws on a non-zero exit (the code is part of the result). */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  // A clean OTel environment: the demo must not depend on the developer's shell.
  const baseEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('ALAKAI_')),
  );
  try {
    const out = await run(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...baseEnv, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export type LogLine = Record<string, unknown> & { msg?: string };

export interface DemoOutput {
  dir: string;
  cli: CliResult;
  /** Every line of each component's log file, parsed. */
  logLines: Record<'core' | 'orchestrator' | 'worker', LogLine[]>;
  /** The summary events (msg starts with "[event] ") of all three files, core first. */
  summaries: LogLine[];
  spans: SpanRecord[];
  /** The raw text of every file the demo wrote, for "no secret anywhere" checks. */
  allText: string;
}

function parseLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as LogLine);
}

async function readTree(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return parts.join('\n');
}

const created: string[] = [];

/** A new empty folder under the OS temp dir; removeFreshDirs() deletes every one made so far. */
export async function freshDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `alakai-demo-test-${label}-`));
  created.push(dir);
  return dir;
}

/** For each test file's afterAll: leave no demo output behind. */
export async function removeFreshDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export async function runDemoFixture(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<DemoOutput> {
  const dir = await freshDir('run');
  const cli = await runCli(['demo', '--out', dir, ...extraArgs], env);
  if (cli.code !== 0) throw new Error(`demo exited ${cli.code}: ${cli.stderr}`);
  const logLines = {
    core: parseLines(await readFile(join(dir, 'logs', 'core.ndjson'), 'utf8')),
    orchestrator: parseLines(await readFile(join(dir, 'logs', 'orchestrator.ndjson'), 'utf8')),
    worker: parseLines(await readFile(join(dir, 'logs', 'worker.ndjson'), 'utf8')),
  };
  const summaries = [...logLines.core, ...logLines.orchestrator, ...logLines.worker].filter(
    (l) => typeof l.msg === 'string' && l.msg.startsWith('[event] '),
  );
  const spanText = await readFile(join(dir, 'spans.otlp.jsonl'), 'utf8');
  const spans = spanText
    .split('\n')
    .filter((l) => l !== '')
    .flatMap((l) => fromOtlpRequest(l));
  return { dir, cli, logLines, summaries, spans, allText: await readTree(dir) };
}

/** The OTel trace id of an Alakai trace_id (the UUID's 32 hex digits). */
export function traceHex(uuid: string): string {
  return uuid.replaceAll('-', '');
}

/** Groups by a key, keeping input order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k) ?? [];
    list.push(item);
    out.set(k, list);
  }
  return out;
}

/** Each execution as `component:final_status` per slice, in log order (core, orchestrator, worker). */
export function executionPaths(output: DemoOutput): string[][] {
  return [...groupBy(output.summaries, (s) => String(s['trace_id'])).values()].map((slices) =>
    slices.map((s) => `${(s['context'] as Record<string, string>)['component']}:${String(s['final_status'])}`),
  );
}

/** What `--executions 3` runs with the default seed: a success, a worker error, slot contention then a retry. */
export const FIRST_THREE_EXECUTIONS: readonly string[][] = [
  ['core:enqueued', 'orchestrator:task_launched', 'worker:pr_opened'],
  ['core:enqueued', 'orchestrator:task_launched', 'worker:push_failed'],
  ['core:enqueued', 'orchestrator:slot_unavailable', 'orchestrator:task_launched', 'worker:pr_opened'],
];

/** The spans of each trace form one tree: a single root, and every parent inside the trace. */
export function expectOneTreePerTrace(spans: readonly SpanRecord[]): void {
  for (const trace of groupBy(spans, (s) => s.traceId).values()) {
    const ids = new Set(trace.map((s) => s.spanId));
    expect(trace.filter((s) => !s.parentSpanId)).toHaveLength(1);
    for (const s of trace) if (s.parentSpanId) expect(ids.has(s.parentSpanId)).toBe(true);
  }
}

/** True when `command` is on PATH: the tests against a real peer (moto, Redis) skip without it. */
export function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** A local TCP port free at the time of asking, for a peer server the test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Retries `probe` (a real API call) every 100 ms until it succeeds; gives up after 100 tries. */
export async function waitUntilServing(name: string, probe: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await probe();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${name} did not start`);
}

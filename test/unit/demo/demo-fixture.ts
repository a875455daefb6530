/**
 * One fixture factory for the demo tests: runs the built CLI (`node bin/alakai-otel.js demo`, built
 * by the `pretest` script) into a fresh temporary folder and loads what it wrote, the way a user
 * would read it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
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
  const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('ALAKAI_')));
  try {
    const out = await run(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...baseEnv, ...env }, maxBuffer: 64 * 1024 * 1024 });
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

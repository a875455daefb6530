/**
 * The one fixture factory of the built-CLI `follow` tests: the lines (hand-written legacy lines from
 * the backfill's generator, plus the demo's services' own lines), written into the three services'
 * files in real time, the CLI run as a child process (built by the unit suite's global setup), and
 * OTLP/JSON read back as each span's bytes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOtlpJsonLine, fromOtlpRequest } from '../../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import { COMPONENT_ORDER, generateFixtureSet } from '../../fixtures/backfill/generate-fixtures.js';
import { runCli } from '../demo/demo-fixture.js';

export const CLI = join(import.meta.dirname, '../../../bin/alakai-otel.js');
export const REPO_ROOT = join(import.meta.dirname, '../../..');

export type Component = (typeof COMPONENT_ORDER)[number];

export interface TimedLine {
  component: Component;
  timeMs: number;
  text: string;
}

export async function tempDir(prefix = 'alakai-follow-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

function timeOf(text: string): number {
  try {
    const t = Date.parse(String((JSON.parse(text) as { time?: unknown }).time));
    return Number.isFinite(t) ? t : 0;
  } catch {
    return 0;
  }
}

/** The demo's services' log lines (bridged summary events and step lines), per component. */
export async function demoLines(executions: number, seed: number): Promise<TimedLine[]> {
  const dir = await tempDir('alakai-follow-demo-');
  const out = join(dir, 'demo');
  const cli = await runCli(['demo', '--out', out, '--executions', String(executions), '--seed', String(seed)]);
  if (cli.code !== 0) throw new Error(`demo failed: ${cli.stderr}`);
  const lines: TimedLine[] = [];
  for (const component of COMPONENT_ORDER) {
    const text = await readFile(join(out, 'logs', `${component}.ndjson`), 'utf8');
    for (const line of text.split('\n')) if (line !== '') lines.push({ component, timeMs: timeOf(line), text: line });
  }
  return lines;
}

/** Hand-written (legacy) lines of `executions` executions, noise included, per component. */
export function legacyLines(executions: number, seed: number): TimedLine[] {
  return generateFixtureSet({ seed, executions, spacingMs: 2000, noise: true }).lines.map((l) => ({
    component: l.component,
    timeMs: l.timeMs,
    text: l.text,
  }));
}

/** The lines in the order the services wrote them (time order; a service's own lines keep theirs). */
export function inWriteOrder(lines: readonly TimedLine[]): TimedLine[] {
  return lines
    .map((l, i) => ({ l, i }))
    .sort((a, b) => a.l.timeMs - b.l.timeMs || a.i - b.i)
    .map((x) => x.l);
}

/** The three services' files in `dir`, created empty. */
export async function componentFiles(dir: string): Promise<Record<Component, string>> {
  const files = {} as Record<Component, string>;
  for (const c of COMPONENT_ORDER) {
    files[c] = join(dir, `${c}.ndjson`);
    await writeFile(files[c], '');
  }
  return files;
}

/** Appends `lines` to their component's file in `batches` writes spread over about `overMs`. */
export async function appendInRealTime(
  files: Record<Component, string>,
  lines: readonly TimedLine[],
  batches: number,
  overMs: number,
): Promise<void> {
  const per = Math.max(1, Math.ceil(lines.length / batches));
  for (let i = 0; i < lines.length; i += per) {
    const batch = lines.slice(i, i + per);
    for (const c of COMPONENT_ORDER) {
      const text = batch
        .filter((l) => l.component === c)
        .map((l) => l.text + '\n')
        .join('');
      if (text !== '') await appendFile(files[c], text);
    }
    await new Promise((r) => setTimeout(r, overMs / batches));
  }
}

export interface FollowChild {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnFollow(args: readonly string[]): FollowChild {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  const child = spawn(process.execPath, [CLI, 'follow', ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, stderr: () => stderr, exited };
}

export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every span of OTLP/JSON lines text → its bytes (with resource and scope), each occurrence. */
export function spanBytes(spans: readonly SpanRecord[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of spans) {
    const list = out.get(s.spanId) ?? [];
    list.push(encodeOtlpJsonLine([s]));
    out.set(s.spanId, list);
  }
  return out;
}

/** The spans of an OTLP/JSON lines file; throws when a line is not one whole request. */
export function spansOfLines(text: string): SpanRecord[] {
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('the file does not end with a newline');
  return lines.slice(0, -1).flatMap((l, i) => {
    try {
      return fromOtlpRequest(l);
    } catch (err) {
      throw new Error(`line ${i + 1} is not a whole OTLP/JSON request: ${String(err)}`, { cause: err });
    }
  });
}

/** `alakai-otel backfill --input FILES --output` over the same files: the batch result. */
export async function backfillSpans(files: readonly string[]): Promise<SpanRecord[]> {
  const out = join(await tempDir('alakai-follow-batch-'), 'batch.otlp.jsonl');
  const cli = await runCli(['backfill', '--input', ...files, '--output', out, '--quiet']);
  if (cli.code !== 0) throw new Error(`backfill failed (${cli.code}): ${cli.stderr}`);
  return spansOfLines(await readFile(out, 'utf8'));
}

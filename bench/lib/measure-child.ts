/**
 * Runs one Node program in a child process and measures it from outside: wall time, CPU time and
 * peak RSS (through ./report-usage.js, preloaded). Pinned to one CPU with `taskset` when the machine
 * has it, because the backfill target is "on one core" — GC helper threads share that core too.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ChildMeasure {
  wallS: number;
  cpuS: number;
  maxRssMb: number;
  exitCode: number | null;
  stderr: string;
  pinned: boolean;
}

const preload = fileURLToPath(new URL('./report-usage.js', import.meta.url));
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/** The CPU the children run on: ALAKAI_BENCH_CPU, or the last one. */
export function pinnedCpu(): number | undefined {
  if (!hasTaskset) return undefined;
  const chosen = Number(process.env['ALAKAI_BENCH_CPU'] ?? Number.NaN);
  if (Number.isInteger(chosen) && chosen >= 0) return chosen;
  const out = spawnSync('nproc').stdout?.toString().trim();
  const n = Number(out);
  return Number.isInteger(n) && n > 0 ? n - 1 : undefined;
}

export async function measureNode(
  args: readonly string[],
  opts: { cwd?: string; pin?: boolean } = {},
): Promise<ChildMeasure> {
  const dir = mkdtempSync(join(tmpdir(), 'alakai-bench-usage-'));
  const usageFile = join(dir, 'usage.json');
  const cpu = opts.pin === false ? undefined : pinnedCpu();
  const nodeArgs = ['--import', preload, ...args];
  const [cmd, argv] =
    cpu === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', String(cpu), process.execPath, ...nodeArgs]];
  const started = process.hrtime.bigint();
  const child = spawn(cmd, argv, {
    cwd: opts.cwd,
    env: { ...process.env, ALAKAI_BENCH_USAGE_FILE: usageFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += d.toString();
  });
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  let usage = { maxRssKb: NaN, userUs: NaN, systemUs: NaN };
  try {
    usage = JSON.parse(readFileSync(usageFile, 'utf8')) as typeof usage;
  } catch {
    // The child died before its exit hook ran (killed, crashed): figures stay NaN.
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    wallS,
    cpuS: (usage.userUs + usage.systemUs) / 1e6,
    maxRssMb: usage.maxRssKb / 1024,
    exitCode,
    stderr,
    pinned: cpu !== undefined,
  };
}

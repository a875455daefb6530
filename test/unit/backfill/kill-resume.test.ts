/**
 * Kill-and-resume with real child processes: `node bin/alakai-otel.js backfill … --checkpoint F`
 * killed with SIGKILL at seeded random points of its run, started again each time until it
 * completes; the output must equal a clean run's byte for byte (no duplicate, no gap) and the
 * report must count every line once. Needs the build (made by the unit suite's global setup,
 * test/unit/harness/global-setup.ts).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { CLI, REPO_ROOT, killFractions, tempDir, writtenFixture, type WrittenFixture } from './backfill-fixture.js';

let fx: WrittenFixture;

beforeAll(async () => {
  fx = await writtenFixture({ seed: 99, executions: 2500, spacingMs: 8_000 });
});

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  wallMs: number;
}

function runChild(args: string[], killAfterMs?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stderr, wallMs: Date.now() - started });
    });
  });
}

it('a run SIGKILLed at 20 seeded random points and resumed writes exactly what a clean run writes', async () => {
  const dir = await tempDir('alakai-resume-');
  const cleanOut = join(dir, 'clean.otlp.jsonl');
  const cleanReport = join(dir, 'clean.json');
  const clean = await runChild(['backfill', '--input', ...fx.ndjson, '--output', cleanOut, '--report', cleanReport]);
  expect(clean.stderr).toBe('');
  expect(clean.code).toBe(0);

  const out = join(dir, 'resumed.otlp.jsonl');
  const report = join(dir, 'resumed.json');
  const checkpoint = join(dir, 'run.checkpoint');
  const args = [
    'backfill',
    '--input',
    ...fx.ndjson,
    '--output',
    out,
    '--report',
    report,
    '--checkpoint',
    checkpoint,
    '--checkpoint-every',
    '25',
  ];
  // Start-up alone (no input): each kill lands after it, somewhere in the first third of the work,
  // so every run gets a little further and the 20 kill points spread over the whole backfill.
  const startup = (await runChild(['backfill', '--help'])).wallMs;
  const work = Math.max(50, clean.wallMs - startup);
  let kills = 0;
  let finished: ChildRun | undefined;
  for (const f of killFractions(20260505, 20)) {
    const run = await runChild(args, Math.round(startup + (work * f) / 3));
    if (run.signal === 'SIGKILL') {
      kills++;
      continue;
    }
    finished = run;
    break;
  }
  finished ??= await runChild(args);
  expect(finished.stderr).toBe('');
  expect(finished.code).toBe(0);
  expect(kills).toBeGreaterThan(0);
  process.stderr.write(`kill-and-resume: ${kills} SIGKILLs mid-run before completion\n`);

  const [expected, actual] = await Promise.all([readFile(cleanOut, 'utf8'), readFile(out, 'utf8')]);
  expect(actual.length).toBe(expected.length);
  expect(actual === expected).toBe(true);
  const a = JSON.parse(await readFile(report, 'utf8')) as Record<string, unknown>;
  const b = JSON.parse(await readFile(cleanReport, 'utf8')) as Record<string, unknown>;
  for (const key of ['linesRead', 'summaryEvents', 'stepLogs', 'ignoredLines', 'rejected', 'traces', 'spansWritten'])
    expect(a[key]).toEqual(b[key]);
  expect(a['spansWritten']).toBe(fx.set.validSummaryEvents);

  // Started again after completion: nothing more is written.
  const again = await runChild(args);
  expect(again.code).toBe(0);
  expect(await readFile(out, 'utf8')).toBe(expected);
}, 300_000);

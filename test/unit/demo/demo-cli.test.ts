/** The demo command's edges: flags, refusal to mix runs, and no process left behind on Ctrl-C. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, freshDir, REPO_ROOT, runCli } from './demo-fixture.js';

describe('demo flags', () => {
  it.each([
    [['--executions', '0'], /--executions must be a whole number from 1 to/],
    [['--executions', 'lots'], /--executions must be a whole number/],
    [['--seed', '-3'], /--seed needs a value|--seed must be a whole number/],
    [['--seed', '1.5'], /--seed must be a whole number/],
    [['--frobnicate'], /unknown flag --frobnicate/],
    [['extra'], /unexpected argument "extra"/],
  ])('rejects %j with one line and exit 2', async (args, message) => {
    const result = await runCli(['demo', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('prints its help with exit 0', async () => {
    const result = await runCli(['demo', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: alakai-otel demo [--out DIR] [--executions N] [--seed S]');
  });

  it('refuses an --out folder that already holds files', async () => {
    const dir = await freshDir('nonempty');
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const result = await runCli(['demo', '--out', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not empty/);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });
});

/** Processes whose command line mentions `marker` (Linux /proc): the demo's components name their --out. */
function processesMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe('demo interrupted', () => {
  it.skipIf(process.platform !== 'linux')('leaves no component process behind on Ctrl-C (SIGINT)', async () => {
    const dir = await freshDir('sigint');
    const child = spawn(process.execPath, [CLI, 'demo', '--out', dir, '--executions', '200'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    // Wait until the first component is running (its log file gets lines), then interrupt.
    let seen = false;
    for (let i = 0; i < 200 && !seen; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = processesMentioning(dir).some((pid) => pid !== child.pid);
    }
    expect(seen).toBe(true);
    const closed = once(child, 'close');
    child.kill('SIGINT');
    const [code] = (await closed) as [number | null];
    expect(code).toBe(130);
    expect(processesMentioning(dir)).toEqual([]);
  });
});

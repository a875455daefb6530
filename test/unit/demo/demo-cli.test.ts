/** The demo command's edges: flags, refusal to mix runs, and no process left behind on Ctrl-C. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, freshDir, REPO_ROOT, runCli, removeFreshDirs } from './demo-fixture.js';

afterAll(removeFreshDirs);

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
    const child = spawn(process.execPath, [CLI, 'demo', '--out', dir, '--executions', '200'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

describe('demo with a failing service', () => {
  it.skipIf(process.platform !== 'linux')(
    'reports the failed service in one line, exits 1 and leaves no process behind',
    async () => {
      const dir = await freshDir('failing');
      // Nothing listens on port 1: the orchestrator cannot receive, and the demo stops every service.
      const result = await runCli(['demo', '--out', dir, '--executions', '2'], {
        ALAKAI_DEMO_SQS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/nowhere',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_MAX_ATTEMPTS: '1',
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^\[orchestrator\] connect ECONNREFUSED 127\.0\.0\.1:1$/m);
      expect(result.stderr).toMatch(
        /^alakai-otel demo: (orchestrator|worker) exited with code 1 \(its log: .*\.ndjson\)$/m,
      );
      expect(processesMentioning(dir)).toEqual([]);
    },
  );
});

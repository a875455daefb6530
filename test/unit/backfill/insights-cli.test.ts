/**
 * `backfill --source insights` as users run it (the built CLI in a child process) against the
 * in-process CloudWatch Logs endpoint: SIGTERM while queries run stops them (StopQuery) and ends
 * the run as failed in one line; the checkpoint it left resumes to the same spans as the files.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOG_GROUPS } from '../../../src/contract/summary-event.js';
import { componentLines, COMPONENT_ORDER } from '../../fixtures/backfill/generate-fixtures.js';
import { backfillFiles, CLI, REPO_ROOT, tempDir, writtenFixture, type WrittenFixture } from './backfill-fixture.js';
import { startFakeCloudWatch, type FakeCloudWatch, type FakeCloudWatchOptions } from './fake-cloudwatch.js';

const DAY = 86_400_000;
let fx: WrittenFixture;
let reference: string;
let range: { startMs: number; endMs: number };
const servers: FakeCloudWatch[] = [];

beforeAll(async () => {
  fx = await writtenFixture({ seed: 5, executions: 20 });
  reference = (await backfillFiles(fx.ndjson)).outputText;
  const times = fx.set.lines.map((l) => l.timeMs);
  range = { startMs: Math.min(...times) - 10 * DAY, endMs: Math.max(...times) + 1 };
});

afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

function groups(): FakeCloudWatchOptions['groups'] {
  const out: FakeCloudWatchOptions['groups'] = {};
  for (const c of COMPONENT_ORDER)
    out[LOG_GROUPS[c]] = componentLines(fx.set, c).map((l) => ({ timestamp: l.timeMs, message: l.text }));
  return out;
}

/** No AWS settings from the developer's shell: only the fake answers. */
function env(endpoint: string): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('OTEL_')),
  );
  return {
    ...base,
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint,
  };
}

function startCli(args: string[], endpoint: string) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: env(endpoint) });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('backfill --source insights (built CLI)', () => {
  it('stops the running queries on SIGTERM, fails in one line, and resumes from its checkpoint', async () => {
    // The queries of the first run never complete: it can only end by the signal.
    const server = await startFakeCloudWatch({ groups: groups(), insights: { runningPolls: 1e9 } });
    servers.push(server);
    const dir = await tempDir('alakai-insights-cli-');
    const out = join(dir, 'spans.otlp.jsonl');
    const checkpoint = join(dir, 'run.ckpt');
    const args = [
      'backfill',
      '--start',
      String(range.startMs),
      '--end',
      String(range.endMs),
      '--source',
      'insights',
      '--max-concurrent-queries',
      '3',
      '--output',
      out,
      '--checkpoint',
      checkpoint,
      '--quiet',
    ];
    const first = startCli(args, server.endpoint);
    const deadline = Date.now() + 30_000;
    while (server.insights.started.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(server.insights.started).toHaveLength(3);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(1);
    expect(first.stderr().trim().split('\n')).toEqual([
      'alakai-otel backfill: failed: interrupted: running Logs Insights queries were stopped',
    ]);
    expect([...server.insights.stopped].sort()).toEqual(server.insights.started.map((q) => q.queryId).sort());
    await servers.pop()!.close();

    // Same data, queries that complete: the resumed run finishes the job.
    const healthy = await startFakeCloudWatch({ groups: groups() });
    servers.push(healthy);
    const second = startCli(args, healthy.endpoint);
    expect(await second.exited, second.stderr()).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(reference);
  });

  it('takes --max-concurrent-queries only between 1 and 100, and not with --input', async () => {
    const server = await startFakeCloudWatch({ groups: groups() });
    servers.push(server);
    const over = startCli(
      ['backfill', '--since', '2d', '--max-concurrent-queries', '500', '--output', '/dev/null'],
      server.endpoint,
    );
    expect(await over.exited).toBe(2);
    expect(over.stderr().trim().split('\n')).toHaveLength(1);
    expect(over.stderr()).toMatch(/--max-concurrent-queries/);
    const withFiles = startCli(
      ['backfill', '--input', fx.ndjson[0]!, '--source', 'insights', '--output', '/dev/null'],
      server.endpoint,
    );
    expect(await withFiles.exited).toBe(2);
    expect(withFiles.stderr().trim()).toBe(
      'alakai-otel backfill: --source/--max-concurrent-queries apply to CloudWatch input, not --input',
    );
    expect(server.requests).toHaveLength(0);
  });
});

/**
 * `backfill` over a sparse 30-day CloudWatch range in moto, through the built CLI: Logs Insights
 * (the default for a range that long) and FilterLogEvents must both give exactly the spans the
 * same lines give from files, and neither may cost a call per window of empty range. moto serves
 * StartQuery/GetQueryResults (it honours `fields`, `sort` and `limit`, and completes a query at
 * once) but not StopQuery; it keeps only events of the last 14 days, so the lines sit in the
 * last 12 days and the rest of the month is empty.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  COMPONENT_ORDER,
  componentLines,
  generateFixtureSet,
  writeNdjsonFiles,
} from '../fixtures/backfill/generate-fixtures.js';
import { logsClient } from './harness/cloudwatch.js';
import { describeRun, runCli } from './harness/cli.js';
import { loadPeersEnv, peersChildEnv } from './harness/peers-env.js';

const DAY = 86_400_000;
const peers = loadPeersEnv();
const env = peersChildEnv(peers);
const client = logsClient(peers);
// Groups of our own: the moto peer is shared with other suites.
const run = randomUUID().slice(0, 8);
const groups = COMPONENT_ORDER.map((c) => `/e2e/insights-${run}/${c}`);
const now = Date.now();
const set = generateFixtureSet({ seed: 11, executions: 24, spacingMs: 10 * 60 * 60_000, startMs: now - 12 * DAY });
let dir: string;
let referencePath: string;

async function put(group: string, events: { timestamp: number; message: string }[]): Promise<void> {
  await client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'ecs/task/1' }));
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
  for (let i = 0; i < sorted.length; i += 5000)
    await client.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 'ecs/task/1',
        logEvents: sorted.slice(i, i + 5000),
      }),
    );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alakai-e2e-insights-'));
  for (const [i, c] of COMPONENT_ORDER.entries())
    await put(
      groups[i]!,
      componentLines(set, c).map((l) => ({ timestamp: l.timeMs, message: l.text })),
    );
  const files = await writeNdjsonFiles(set, join(dir, 'ndjson'));
  referencePath = join(dir, 'reference.otlp.jsonl');
  const args = ['backfill', '--input', ...files, '--output', referencePath, '--quiet'];
  const result = await runCli(args, env);
  expect(result.code, describeRun(args, result)).toBe(0);
});

afterAll(async () => {
  for (const g of groups) await client.send(new DeleteLogGroupCommand({ logGroupName: g })).catch(() => undefined);
});

function rangeArgs(): string[] {
  return [
    '--start',
    new Date(now - 30 * DAY).toISOString(),
    '--end',
    new Date(now + 60_000).toISOString(),
    '--log-group',
    ...groups,
  ];
}

describe('backfill of a sparse 30-day CloudWatch range (moto)', () => {
  test('Logs Insights (the default for 30 days) gives the same spans as the files, in one query per day', async () => {
    const out = join(dir, 'insights.otlp.jsonl');
    const reportPath = join(dir, 'insights.report.json');
    const args = ['backfill', ...rangeArgs(), '--output', out, '--report', reportPath];
    const started = Date.now();
    const result = await runCli(args, env);
    const seconds = (Date.now() - started) / 1000;
    expect(result.code, describeRun(args, result)).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(await readFile(referencePath, 'utf8'));
    const report = JSON.parse(await readFile(reportPath, 'utf8')) as { sources: string[]; linesRead: number };
    expect(report.sources).toEqual([`cloudwatch-insights:${groups.join(',')}`]);
    expect(report.linesRead).toBe(set.lines.length);
    // Seconds, not the ~45 minutes per-window FilterLogEvents calls took for an empty month.
    expect(seconds).toBeLessThan(60);
  });

  test('--source filter gives the same spans, and the empty stretches cost no calls', async () => {
    const out = join(dir, 'filter.otlp.jsonl');
    const reportPath = join(dir, 'filter.report.json');
    const args = ['backfill', ...rangeArgs(), '--source', 'filter', '--output', out, '--report', reportPath];
    const started = Date.now();
    const result = await runCli(args, env);
    const seconds = (Date.now() - started) / 1000;
    expect(result.code, describeRun(args, result)).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(await readFile(referencePath, 'utf8'));
    const report = JSON.parse(await readFile(reportPath, 'utf8')) as { sources: string[] };
    expect(report.sources).toEqual([`cloudwatch:${groups.join(',')}`]);
    // 30 days of 10-minute windows for 3 groups were 12,960 calls at 5 a second (43 minutes).
    expect(seconds).toBeLessThan(60);
  });

  test('a usage mistake in the new flags is one line and exit 2', async () => {
    const args = ['backfill', ...rangeArgs(), '--source', 'scan', '--output', join(dir, 'x.jsonl')];
    const result = await runCli(args, env);
    expect(result.code, describeRun(args, result)).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'alakai-otel backfill: --source is insights or filter, not "scan"',
    ]);
  });
});

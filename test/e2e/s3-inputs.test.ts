/**
 * `backfill --input s3://…` against moto's S3: real CreateExportTask objects (moto's CloudWatch
 * Logs writes them into its S3, with its `aws-logs-write-test` object) and Firehose deliveries
 * of a subscription filter (concatenated gzip envelopes) put where Firehose puts them. Read with
 * the built CLI, each gives the same bytes as the services' NDJSON read from local files; the
 * S3 source's resume points, reopened, give exactly the records after them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateExportTaskCommand, DescribeExportTasksCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { listS3Series, openS3SeriesSource } from '../../src/backfill/sources/s3-source.js';
import type { SourceBatch } from '../../src/backfill/source-types.js';
import type { Component } from '../../src/contract/summary-event.js';
import {
  COMPONENT_ORDER,
  componentLines,
  generateFixtureSet,
  writeNdjsonFiles,
  type FixtureSet,
} from '../fixtures/backfill/generate-fixtures.js';
import { logsClient, shipLines } from './harness/cloudwatch.js';
import { describeRun, runCli } from './harness/cli.js';
import { awsClientConfig, loadPeersEnv, peersChildEnv } from './harness/peers-env.js';

const peers = loadPeersEnv();
// The SDK's Node-version notice (aws-sdk-warning.ts) is noise in the test output too.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const run = randomUUID().slice(0, 8);
const exportBucket = `alakai-exports-${run}`;
const firehoseBucket = `alakai-firehose-${run}`;
const groupOf = (c: Component): string => `/e2e-s3-${run}/${c}`;
const s3 = new S3Client({ ...awsClientConfig(peers), forcePathStyle: true });

let set: FixtureSet;
let dir: string;
let reference: { output: string; report: Record<string, unknown> };

async function backfill(
  inputs: string[],
  extra: string[] = [],
): Promise<{ output: string; report: Record<string, unknown> }> {
  const out = join(dir, `out-${randomUUID()}.jsonl`);
  const reportPath = `${out}.report.json`;
  const args = ['backfill', '--input', ...inputs, '--output', out, '--report', reportPath, ...extra];
  const result = await runCli(args, peersChildEnv(peers));
  expect(result.code, describeRun(args, result)).toBe(0);
  return {
    output: await readFile(out, 'utf8'),
    report: JSON.parse(await readFile(reportPath, 'utf8')) as Record<string, unknown>,
  };
}

beforeAll(async () => {
  // Recent times (CloudWatch takes events ≤ 14 days old) and no oversized noise (over its event size).
  set = generateFixtureSet({ seed: 23, executions: 30, noise: false, startMs: Date.now() - 6 * 3_600_000 });
  dir = await mkdtemp(join(tmpdir(), 'alakai-s3-e2e-'));
  reference = await backfill(await writeNdjsonFiles(set, join(dir, 'ndjson')));

  const logs = logsClient(peers);
  await s3.send(new CreateBucketCommand({ Bucket: exportBucket }));
  await s3.send(new CreateBucketCommand({ Bucket: firehoseBucket }));
  for (const c of COMPONENT_ORDER) {
    const lines = componentLines(set, c).map((l) => l.text);
    // Two streams per group (two ECS tasks): an export writes one folder per stream.
    const half = Math.floor(lines.length / 2);
    await shipLines(logs, groupOf(c), `ecs/${c}/task-a`, lines.slice(0, half));
    await shipLines(logs, groupOf(c), `ecs/${c}/task-b`, lines.slice(half));
    const { taskId } = await logs.send(
      new CreateExportTaskCommand({
        logGroupName: groupOf(c),
        destination: exportBucket,
        destinationPrefix: `exports/${c}`,
        from: 0,
        to: Date.now() + 86_400_000,
      }),
    );
    const { exportTasks } = await logs.send(new DescribeExportTasksCommand({ taskId }));
    expect(exportTasks?.[0]?.status?.code).toBe('COMPLETED');
  }

  // Firehose: each record a gzip'd subscription envelope, several records an object, CONTROL first.
  const control = {
    messageType: 'CONTROL_MESSAGE',
    owner: 'CloudWatchLogs',
    logGroup: '',
    logStream: '',
    subscriptionFilters: [],
    logEvents: [{ id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
  };
  const records: { t: number; gz: Buffer }[] = [];
  for (const c of COMPONENT_ORDER) {
    const lines = componentLines(set, c);
    for (let i = 0; i < lines.length; i += 6) {
      const part = lines.slice(i, i + 6);
      const envelope = {
        messageType: 'DATA_MESSAGE',
        owner: '123456789012',
        logGroup: groupOf(c),
        logStream: `ecs/${c}/task-a`,
        subscriptionFilters: ['to-firehose'],
        logEvents: part.map((l, j) => ({ id: `${l.timeMs}${j}`, timestamp: l.timeMs, message: l.text })),
      };
      records.push({ t: part[0]!.timeMs, gz: gzipSync(JSON.stringify(envelope)) });
    }
  }
  records.sort((a, b) => a.t - b.t);
  const perObject = Math.ceil(records.length / 4);
  for (let k = 0; k * perObject < records.length; k++) {
    const body = Buffer.concat([
      ...(k === 0 ? [gzipSync(JSON.stringify(control))] : []),
      ...records.slice(k * perObject, (k + 1) * perObject).map((r) => r.gz),
    ]);
    await s3.send(
      new PutObjectCommand({
        Bucket: firehoseBucket,
        Key: `firehose/2026/12/01/1${k}/alakai-logs-1-2026-12-01-1${k}-00-00-${randomUUID()}.gz`,
        Body: body,
      }),
    );
  }
}, 120_000);

describe('backfill --input s3:// against moto', () => {
  it('reads real CreateExportTask objects into the same bytes as the NDJSON, skipping aws-logs-write-test', async () => {
    // The whole bucket: moto's aws-logs-write-test sits at its root beside the export folders.
    const got = await backfill([`s3://${exportBucket}`]);
    expect(got.output).toBe(reference.output);
    expect(got.report['linesRead']).toBe(reference.report['linesRead']);
    expect(got.report['rejected']).toEqual(reference.report['rejected']);
    // One source per exported stream: three groups × two streams.
    expect(
      (got.report['sources'] as string[]).filter((s) => s.startsWith(`s3://${exportBucket}/exports/`)),
    ).toHaveLength(6);
  });

  it('reads Firehose deliveries (concatenated gzip envelopes, CONTROL_MESSAGE skipped) into the same bytes', async () => {
    const got = await backfill([`s3://${firehoseBucket}/firehose/`]);
    expect(got.output).toBe(reference.output);
    expect(got.report['linesRead']).toBe(reference.report['linesRead']);
  });

  it('selects log groups by the envelopes with --log-group', async () => {
    const got = await backfill([`s3://${firehoseBucket}/firehose/`], ['--log-group', groupOf('core')]);
    const coreOnly = await backfill([join(dir, 'ndjson', 'core.ndjson')]);
    expect(got.report['linesRead']).toBe(coreOnly.report['linesRead']);
    expect(got.output).toBe(coreOnly.output);
  });

  it('an empty prefix or a missing bucket is one line on stderr, exit 2', async () => {
    for (const input of [`s3://${exportBucket}/nothing-here/`, `s3://no-such-bucket-${run}/x`]) {
      const args = ['backfill', '--input', input, '--output', join(dir, 'never.jsonl')];
      const result = await runCli(args, peersChildEnv(peers));
      expect(result.code, describeRun(args, result)).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/holds no objects|no such bucket/);
    }
  });

  it('reopened at any resume point it gave, a series yields exactly the records from there on', async () => {
    const env = peersChildEnv(peers);
    for (const [k, v] of Object.entries(env)) process.env[k] = v;
    const series = [
      ...(await listS3Series(s3, `s3://${exportBucket}/exports/`)),
      ...(await listS3Series(s3, `s3://${firehoseBucket}/firehose/`)),
    ];
    // Small ranged reads, so that objects span several reads and batches.
    const options = { chunkBytes: 512 };
    const readAll = async (from?: SourceBatch['resume'], index = 0): Promise<SourceBatch[]> => {
      const source = openS3SeriesSource(s3, series[index]!, from, options);
      const out: SourceBatch[] = [];
      for (let b = await source.next(); b; b = await source.next()) out.push(b);
      return out;
    };
    let reopened = 0;
    for (let i = 0; i < series.length; i++) {
      const batches = await readAll(undefined, i);
      const all = batches.flatMap((b) => b.records.map((r, j) => [b.firstOrdinal + j, r.text ?? r.readError] as const));
      for (const b of batches.filter((_, n) => n % 3 === 1)) {
        const again = (await readAll(b.resume, i)).flatMap((x) =>
          x.records.map((r, j) => [x.firstOrdinal + j, r.text ?? r.readError] as const),
        );
        expect(again[0]![0]).toBe(b.resume.ordinal);
        expect(again).toEqual(all.filter(([o]) => o >= b.resume.ordinal));
        reopened++;
      }
    }
    expect(reopened).toBeGreaterThan(3);
  });
});

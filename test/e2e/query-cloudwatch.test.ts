/**
 * `alakai-otel query` through the built CLI against REAL moto: generated legacy lines put into
 * three fresh log groups (PutLogEvents), then StartQuery / GetQueryResults through the CloudWatch
 * engine. moto's Logs Insights honours only `fields`, `sort` and `limit` (DESIGN.md), and of the
 * fields only @timestamp, @message and @log (it does not discover JSON fields; its @log is the
 * group, the local engine's the guide's group of the line's component), so the answers are
 * compared with the local engine's over the same lines written to a file for queries on
 * @timestamp and @message; every guide query by name must still start, poll and return rows. The same
 * lines as NDJSON objects in moto's S3 answer `query --input s3://…` exactly as the local file.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUIDE_QUERIES } from '../../src/query/guide-queries.js';
import { legacyLines } from '../unit/query/legacy-lines.js';
import { logsClient, shipLines } from './harness/cloudwatch.js';
import { describeRun, runCli } from './harness/cli.js';
import { awsClientConfig, loadPeersEnv, peersChildEnv } from './harness/peers-env.js';

const peers = loadPeersEnv();
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const env = peersChildEnv(peers);
const client = logsClient(peers);
const run = randomUUID().slice(0, 8);
const groupOf = (c: string): string => `/e2e-query-${run}/${c}`;
// Recent (moto keeps 14 days), whole seconds apart from the range edges.
const start = Math.floor((Date.now() - 3 * 3_600_000) / 1000) * 1000;
const lines = legacyLines(240, start + 1000, 20_000);
const range = ['--start', new Date(start).toISOString(), '--end', new Date(start + 2 * 3_600_000).toISOString()];
const logGroupArgs = ['core', 'orchestrator', 'worker'].flatMap((c) => ['--log-group', groupOf(c)]);
let file: string;

async function query(args: string[]): Promise<Record<string, any>> {
  const all = ['query', ...args, ...range, '--json'];
  const r = await runCli(all, env);
  expect(r.code, describeRun(all, r)).toBe(0);
  return JSON.parse(r.stdout) as Record<string, any>;
}

beforeAll(async () => {
  for (const c of ['core', 'orchestrator', 'worker'])
    await shipLines(
      client,
      groupOf(c),
      'ecs/task/1',
      lines.filter((l) => l.component === c).map((l) => l.text),
    );
  const dir = await mkdtemp(join(tmpdir(), 'alakai-e2e-query-'));
  file = join(dir, 'all.ndjson');
  await writeFile(file, lines.map((l) => l.text).join('\n') + '\n');
});

afterAll(async () => {
  for (const c of ['core', 'orchestrator', 'worker'])
    await client.send(new DeleteLogGroupCommand({ logGroupName: groupOf(c) })).catch(() => undefined);
});

describe('alakai-otel query against moto', () => {
  it.each([
    'fields @timestamp, @message | sort @timestamp desc | limit 25',
    'fields @message, @timestamp | sort @timestamp asc | limit 40',
    // All the lines (moto returns no fields for a query without `fields`).
    'fields @timestamp, @message | sort @timestamp desc | limit 300',
  ])('answers %s as the local engine does over the same lines', async (text) => {
    const cw = await query(['--query', text, '--endpoint', peers.motoEndpoint, ...logGroupArgs]);
    const local = await query(['--query', text, '--input', file]);
    expect(cw['engine']).toBe('cloudwatch');
    expect(cw['rows'].length).toBeGreaterThan(0);
    const asText = (rows: Record<string, unknown>[]) =>
      rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v).replace(/\n$/, '')])));
    expect(asText(cw['rows'])).toEqual(asText(local['rows']));
    expect(cw['columns']).toEqual(local['columns']);
  });

  it('runs every guide query by name: start, poll and results', async () => {
    for (const q of GUIDE_QUERIES) {
      const args =
        q.name === 'errors --event'
          ? ['errors', '--event', 'slack.prompt']
          : q.usage.includes(' ') && !q.usage.includes('[')
            ? [q.name, q.name === 'repo' ? 'acme/api' : 'U111']
            : [q.name];
      const r = await query([...args, '--endpoint', peers.motoEndpoint, ...logGroupArgs]);
      expect(r['engine'], q.name).toBe('cloudwatch');
      expect(r['windows'], q.name).toMatchObject({ queries: expect.any(Number) });
      // moto ignores filter and stats: it answers with rows all the same.
      expect(r['rows'].length, q.name).toBeGreaterThan(0);
      expect(r['statistics'], q.name).toMatchObject({ recordsMatched: expect.any(Number) });
    }
  });
});

describe('alakai-otel query --input s3:// against moto S3', () => {
  it('answers the guide queries over S3 objects exactly as over the local file', async () => {
    const s3 = new S3Client({ ...awsClientConfig(peers), forcePathStyle: true });
    const bucket = `alakai-query-${run}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const half = Math.floor(lines.length / 2);
    for (const [i, part] of [lines.slice(0, half), lines.slice(half)].entries())
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `logs/part-${i}.ndjson`,
          Body: part.map((l) => l.text).join('\n') + '\n',
        }),
      );
    for (const name of ['errors', 'slots', 'percentiles']) {
      const fromS3 = await query([name, '--input', `s3://${bucket}/logs/`]);
      const fromFile = await query([name, '--input', file]);
      expect(fromS3['rows'], name).toEqual(fromFile['rows']);
      expect(fromS3['rows'].length, name).toBeGreaterThan(0);
    }
  });
});

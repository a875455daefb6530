/** follow's sources from CLI-like options: what is refused up front, and what is opened for the rest. */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SourceUserError } from '../../../src/backfill/source-types.js';
import { cloudWatchBucket } from '../../../src/backfill/sources/open-sources.js';
import type { FollowLine, FollowSource } from '../../../src/follow/follow-types.js';
import { openFollowSources } from '../../../src/follow/sources/open-follow-sources.js';
import { startFakeCloudWatch, type FakeCloudWatch } from '../backfill/fake-cloudwatch.js';

const started: FollowSource[] = [];
const servers: FakeCloudWatch[] = [];
afterEach(async () => {
  while (started.length > 0) await started.pop()!.stop();
  while (servers.length > 0) await servers.pop()!.close();
  vi.unstubAllEnvs();
});

describe('openFollowSources', () => {
  it('refuses what cannot be followed, one line each', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alakai-follow-open-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'old.log.gz'), gzipSync('a\n'));
    const refused = async (inputs: string[]) => openFollowSources({ inputs, logGroups: [] }).catch((e: unknown) => e);
    expect(await refused([join(dir, 'sub')])).toEqual(
      new SourceUserError(`cannot follow ${join(dir, 'sub')}: is a directory`),
    );
    const gz = await refused([join(dir, 'old.log.gz')]);
    expect(gz).toBeInstanceOf(SourceUserError);
    expect((gz as Error).message).toMatch(/gzip-compressed: .*alakai-otel backfill --input/);
    expect(await refused(['s3://bucket/prefix/'])).toBeInstanceOf(SourceUserError);
    expect(await refused(['-', '-'])).toEqual(new SourceUserError('--input - (stdin) is given twice'));
    expect(await openFollowSources({ inputs: [], logGroups: [' '] }).catch((e: unknown) => e)).toBeInstanceOf(
      SourceUserError,
    );
  });

  it('opens files (a missing one too, a repeated one once) and stdin', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alakai-follow-open-'));
    const a = join(dir, 'a.log');
    await writeFile(a, 'x\n');
    const stdin = new PassThrough();
    const sources = await openFollowSources({ inputs: [a, a, join(dir, 'later.log'), '-'], logGroups: [], stdin });
    expect(sources.map((s) => s.id)).toEqual([`file:${resolve(a)}`, `file:${resolve(dir, 'later.log')}`, 'stdin']);
    const lines: string[] = [];
    for (const s of sources) {
      started.push(s);
      s.start((batch) => lines.push(...batch.map((l) => l.text)));
    }
    stdin.end('from stdin\n');
    await sources[2]!.ended;
    expect(lines).toEqual(['from stdin']);
  });

  it('polls each log group through one shared bucket, or Live Tails them in sessions of up to 10', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'fake-secret');
    const groups: Record<string, { timestamp: number; message: string }[]> = { '/a': [], '/b': [] };
    const fake = await startFakeCloudWatch({ groups });
    servers.push(fake);
    const aws = { region: 'us-east-1', endpoint: fake.endpoint };
    expect(cloudWatchBucket(aws)).toBe(cloudWatchBucket({ ...aws }));
    const polled = await openFollowSources({ inputs: [], logGroups: ['/a', '/b', '/a'], ...aws, pollIntervalMs: 20 });
    expect(polled.map((s) => s.id)).toEqual(['cloudwatch:/a', 'cloudwatch:/b']);
    const lines: FollowLine[] = [];
    for (const s of polled) {
      started.push(s);
      s.start((batch) => lines.push(...batch));
    }
    const now = Date.now();
    groups['/a']!.push({ timestamp: now + 1, message: 'from a' });
    groups['/b']!.push({ timestamp: now + 2, message: 'from b' });
    const deadline = Date.now() + 5000;
    while (lines.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(lines.map((l) => l.text).sort()).toEqual(['from a', 'from b']);

    const many = Array.from({ length: 12 }, (_, i) => `/g${i}`);
    const live = await openFollowSources({ inputs: [], logGroups: many, ...aws, liveTail: true });
    expect(live.map((s) => s.id)).toEqual([
      `cloudwatch-live:${many.slice(0, 10).join(',')}`,
      `cloudwatch-live:${many.slice(10).join(',')}`,
    ]);
  });
});

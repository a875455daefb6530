/**
 * `backfill` to X-Ray's OTLP endpoint, as a user runs it: the built CLI in a child process, the
 * fake X-Ray (signatures recomputed, limits enforced) on loopback, and credentials from the AWS
 * default chain itself — a profile whose `credential_process` hands out a new session token each
 * time it runs, the first of which the fake says has expired.
 *
 * One run sends everything to a file and the last 14 days to X-Ray, and reports per destination.
 */
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, readSpans, tempDir, writtenFixture, type WrittenFixture } from './backfill-fixture.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/fake-otlp-receiver.js';

const run = promisify(execFile);
const DAY = 86_400_000;
const REGION = 'eu-west-1';
const SECRET = 'process-secret';

let old: WrittenFixture;
let recent: WrittenFixture;
let dir: string;
let configFile: string;
const expired = new Set<string>();
let xray: OtlpReceiver;

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('OTEL_')),
  );
  try {
    const out = await run(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: {
        ...base,
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
        AWS_CONFIG_FILE: '/nonexistent/config',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stderr: out.stderr };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  const now = Date.now();
  old = await writtenFixture({ seed: 31, executions: 6, startMs: now - 20 * DAY, noise: false });
  recent = await writtenFixture({ seed: 32, executions: 6, startMs: now - 2 * 3_600_000, noise: false });
  dir = await tempDir('alakai-xray-cli-');
  // credential_process: each run prints the next session token (counted in a file).
  const counter = join(dir, 'count');
  await writeFile(counter, '0');
  const script = join(dir, 'creds.cjs');
  await writeFile(
    script,
    `const fs = require('node:fs');
const n = Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8')) + 1;
fs.writeFileSync(${JSON.stringify(counter)}, String(n));
process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: 'AKIDPROCESS', SecretAccessKey: ${JSON.stringify(SECRET)},
  SessionToken: 'session-' + n, Expiration: new Date(Date.now() + 3600e3).toISOString() }));
`,
  );
  configFile = join(dir, 'config');
  await writeFile(configFile, `[default]\ncredential_process = "${process.execPath}" "${script}"\n`);
  expired.add('session-1');
  xray = await startOtlpReceiver('ok', {
    xray: { region: REGION, secrets: { AKIDPROCESS: SECRET, AKIDOTHER: 'other' }, expiredTokens: expired },
  });
});
afterAll(async () => {
  await xray.close();
});

describe('backfill to X-Ray’s OTLP endpoint', () => {
  it('--output FILE --otlp-endpoint X-RAY --sigv4 xray: the file gets everything, X-Ray the last 14 days, counted per destination', async () => {
    const output = join(dir, 'all.jsonl');
    const report = join(dir, 'report.json');
    const result = await cli(
      [
        'backfill',
        '--input',
        ...old.ndjson,
        ...recent.ndjson,
        '--output',
        output,
        '--otlp-endpoint',
        xray.url,
        '--sigv4',
        'xray',
        '--report',
        report,
      ],
      { AWS_CONFIG_FILE: configFile, AWS_REGION: REGION },
    );
    expect(result.code).toBe(0);
    const all = readSpans(await readFile(output, 'utf8')).spans;
    const cutoff = BigInt(Date.now() - 14 * DAY) * 1_000_000n;
    const fresh = all.filter((s) => s.startTimeUnixNano >= cutoff);
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.length).toBeLessThan(all.length);
    // X-Ray got exactly the recent spans, in signed, gzip'd requests; the expired token was replaced.
    expect([...xray.acceptedSpanIds].sort()).toEqual(fresh.map((s) => s.spanId).sort());
    const answers = xray.xrayAnswers();
    expect(answers[0]).toMatchObject({ status: 403, errorType: 'ExpiredTokenException', sessionToken: 'session-1' });
    expect(answers.slice(1).every((a) => a.status === 200 && a.gzip && a.sessionToken === 'session-2')).toBe(true);
    const json = JSON.parse(await readFile(report, 'utf8')) as {
      spansWritten: number;
      notSent: Record<string, number>;
      retries: Record<string, number>;
      destinations: { name: string; spansWritten: number; notSent: Record<string, number> }[];
    };
    expect(json.destinations).toEqual([
      { name: output, spansWritten: all.length, notSent: {} },
      { name: xray.url, spansWritten: fresh.length, notSent: { xray_older_than_14_days: all.length - fresh.length } },
    ]);
    expect(json.notSent).toEqual({ xray_older_than_14_days: all.length - fresh.length });
    expect(json.retries).toEqual({ otlp_expired_credentials: 1 });
    // Not a terminal and --report given: the summary stays off stderr, but the loss is said.
    expect(result.stderr).toBe(
      `alakai-otel backfill: spans not sent to X-Ray (its limits): xray_older_than_14_days ${all.length - fresh.length}\n`,
    );
  });

  it('a signature X-Ray does not accept: exit 1, one line naming the likely causes, one request', async () => {
    const before = xray.requests();
    const result = await cli(
      ['backfill', '--input', ...recent.ndjson, '--otlp-endpoint', xray.url, '--sigv4', 'xray', '--quiet'],
      { AWS_ACCESS_KEY_ID: 'AKIDOTHER', AWS_SECRET_ACCESS_KEY: 'wrong', AWS_REGION: REGION },
    );
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^alakai-otel backfill: export to .* refused \(HTTP 403\).*Transaction Search/);
    expect(lines[0]).not.toContain('wrong');
    expect(xray.requests() - before).toBe(1);
  });

  it.each([
    [['--sigv4', 'xray'], {}, /needs a region/],
    [['--sigv4', 's3'], { AWS_REGION: REGION }, /xray only/],
  ])('user errors %j → exit 2, one line', async (flags, env, message) => {
    const result = await cli(['backfill', '--input', ...recent.ndjson, '--otlp-endpoint', xray.url, ...flags], env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});

describe('live to X-Ray’s OTLP endpoint', () => {
  it('--otlp-endpoint X-RAY --sigv4 xray: lines pass through, recent spans are signed and sent, the ones X-Ray would refuse are said on stderr', async () => {
    const oldText = await readFile(old.ndjson[0]!, 'utf8');
    const recentText = await readFile(recent.ndjson[0]!, 'utf8');
    const before = xray.xrayAnswers().length;
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('OTEL_')),
    );
    const child = spawn(process.execPath, [CLI, 'live', '--otlp-endpoint', xray.url, '--sigv4', 'xray'], {
      cwd: REPO_ROOT,
      env: {
        ...base,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'AKIDOTHER',
        AWS_SECRET_ACCESS_KEY: 'other',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
        AWS_CONFIG_FILE: '/nonexistent/config',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(oldText + recentText);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    expect(stdout).toBe(oldText + recentText);
    const oldSummaries = oldText.split('\n').filter((l) => l.includes('"[event] ')).length;
    const recentSummaries = recentText.split('\n').filter((l) => l.includes('"[event] ')).length;
    const answers = xray.xrayAnswers().slice(before);
    expect(answers.every((a) => a.status === 200 && a.accessKeyId === 'AKIDOTHER')).toBe(true);
    expect(answers.reduce((n, a) => n + (a.spans ?? 0), 0)).toBe(recentSummaries);
    expect(stderr.trim().split('\n')).toEqual([
      `alakai-otel live: spans not sent to X-Ray (its limits): xray_older_than_14_days ${oldSummaries}`,
    ]);
  });
});

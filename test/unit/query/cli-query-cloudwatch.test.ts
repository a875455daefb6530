/**
 * The built CLI's `alakai-otel query` without --input: Logs Insights through --endpoint, here the
 * in-process Insights protocol fake answering with the local engine (test/unit/backfill/fake-cloudwatch.ts).
 * The child runs asynchronously, so the fake in this process can answer it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_GROUPS } from '../../../src/contract/summary-event.js';
import { eventFromLine, parseQuery, runQuery } from '../../../src/query/index.js';
import type { FakeWindowEvent } from '../backfill/fake-logs-insights.js';
import { startFakeCloudWatch, type FakeCloudWatch } from '../backfill/fake-cloudwatch.js';
import { legacyLines } from './legacy-lines.js';

const root = join(import.meta.dirname, '../../..');
const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const lines = legacyLines(10_050, T0 + 1000, 300);
let server: FakeCloudWatch;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/alakai-otel.js'), 'query', ...args], {
      env: {
        PATH: process.env['PATH'] ?? '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'fake-secret',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  const groups: Record<string, { timestamp: number; message: string }[]> = {};
  for (const g of Object.values(LOG_GROUPS)) groups[g] = [];
  for (const l of lines) groups[l.logGroup]!.push({ timestamp: l.timeMs, message: l.text });
  server = await startFakeCloudWatch({
    groups,
    insights: {
      answer: (q: string, events: readonly FakeWindowEvent[]) => {
        // The local engine stops at limit 10,000 (the service at 100,000); the fake cuts at StartQuery's limit anyway.
        const r = runQuery(
          parseQuery(q.replace(/limit \d{5,}/, 'limit 10000')),
          events.map((e) => eventFromLine(e.message, e.timestamp, e.logGroup)),
        );
        return {
          rows: r.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]))),
          recordsMatched: r.statistics.recordsMatched,
          recordsScanned: r.statistics.recordsScanned,
          bytesScanned: 4096,
        };
      },
    },
  });
});
afterAll(() => server.close());

const range = ['--start', new Date(T0).toISOString(), '--end', new Date(T0 + 4 * 3_600_000).toISOString()];

describe('alakai-otel query on CloudWatch (built CLI)', () => {
  it('runs a named query over the guide log groups with the statistics in --json', async () => {
    const r = await run(['slots', ...range, '--endpoint', server.endpoint, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, any>;
    expect(j['engine']).toBe('cloudwatch');
    expect(j['rows'].length).toBe(50);
    expect(j['statistics']).toMatchObject({ bytesScanned: 4096, recordsScanned: lines.length });
    expect(j['truncated']).toBe(true);
    expect(j['windows']).toEqual({ queries: 1, split: 0 });
    const started = server.insights.started.at(-1)!;
    expect(started.logGroupNames).toEqual(Object.values(LOG_GROUPS));
    expect(started.startTime).toBe(T0 / 1000);
  });

  it('--log-group picks the groups; the table says TRUNCATED when the limit cut rows', async () => {
    const r = await run(['errors', ...range, '--endpoint', server.endpoint, '--log-group', LOG_GROUPS.worker]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^@timestamp\s+context\.component/);
    expect(r.stdout).toMatch(/100 rows; \d+ of \d+ events matched; TRUNCATED/);
    expect(server.insights.started.at(-1)!.logGroupNames).toEqual([LOG_GROUPS.worker]);
  });

  it('a full answer it cannot merge (pct over 10,000+ groups) is said on stderr and in --json', async () => {
    const q = 'stats pct(duration_ms, 90) as p90 by trace_id | limit 20000';
    const r = await run(['--query', q, ...range, '--endpoint', server.endpoint, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^alakai-otel query: warning: TRUNCATED: the answer reached the 10,000-row cap and cannot be split: pct\(\)/m,
    );
    const j = JSON.parse(r.stdout) as Record<string, any>;
    expect(j['rows']).toHaveLength(10_000);
    expect(j['truncated']).toBe(true);
    expect(j['truncatedBecause']).toMatch(/pct\(\)/);
  });

  it('more than 10,000 rows: the windows are split and merged, every row once', async () => {
    const q = 'fields trace_id, msg | sort @timestamp desc | limit 20000';
    const r = await run(['--query', q, ...range, '--endpoint', server.endpoint, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, any>;
    expect(j['rows']).toHaveLength(lines.length);
    expect(j['truncated']).toBe(false);
    expect(j['windows'].split).toBeGreaterThan(0);
    const want = [...lines]
      .sort((a, b) => b.timeMs - a.timeMs)
      .map((l) => (JSON.parse(l.text) as { trace_id: string }).trace_id);
    expect((j['rows'] as { trace_id: string }[]).map((x) => x.trace_id)).toEqual(want);
    expect(r.stderr).toMatch(/reached the 10,000-row cap: querying its halves/);
    const counts = JSON.parse(
      (
        await run([
          '--query',
          'stats count() as n by trace_id | sort n desc | limit 20000',
          ...range,
          '--endpoint',
          server.endpoint,
          '--json',
        ])
      ).stdout,
    ) as Record<string, any>;
    expect(counts['rows']).toHaveLength(10_050);
    expect(counts['rows'][0]).toEqual({ trace_id: expect.any(String), n: '2' });
    expect(counts['truncated']).toBe(false);
  });

  it('a missing log group and a refused query end with one line and exit 2', async () => {
    const missing = await run(['slots', ...range, '--endpoint', server.endpoint, '--log-group', '/no/such']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^alakai-otel query: CloudWatch Logs: .*\(queried: \/no\/such;/);
  });
});

/**
 * Issue 11, item 9: aws CLI output in the shapes users make, from the real `aws` CLI (v1, installed
 * beside moto by scripts/peers.sh; AWS_CLI_BIN in .peers/env) against moto, fed to the installed
 * `alakai-otel backfill`:
 *   - `filter-log-events --max-items 3` prints 3 events and a NextToken: the 3 are read, and stderr
 *     and the report say the input is partial;
 *   - `--query 'events[].message'` prints an array of messages: read as the lines, the same spans
 *     as the plain output;
 *   - `start-query` + `get-query-results` with @message in the fields: read, the same spans;
 *     the guide's runbook query (no @message): refused, with the advice to add it.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPeersEnv } from '../e2e/harness/peers-env.js';
import { generateFixtureSet, componentLines } from '../fixtures/backfill/generate-fixtures.js';
import { consumerApp } from './harness/app.js';

const run = promisify(execFile);
const app = consumerApp();
const work = join(app.dir, 'aws-cli');
const GROUP = `/alakai-consumer/${randomUUID()}/core`;
let awsEnv: Record<string, string>;
let awsBin: string;
let endpoint: string;
let lineCount: number;
let summaryCount: number;
/** What the plain filter-log-events output gave: every other shape must give the same. */
let spansWritten: number;

async function aws(args: string[]): Promise<string> {
  const { stdout } = await run(awsBin, [...args, '--endpoint-url', endpoint, '--output', 'json'], {
    env: awsEnv,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

function save(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/** The installed CLI's backfill of one file into an OTLP/JSON lines file, with a JSON report. */
async function backfill(input: string, name: string) {
  const output = join(work, `${name}.otlp.jsonl`);
  const report = join(work, `${name}.report.json`);
  const r = await app.cli(['backfill', '--input', input, '--output', output, '--report', report]);
  const json = r.code === 0 ? (JSON.parse(readFileSync(report, 'utf8')) as Record<string, unknown>) : undefined;
  const lines = r.code === 0 ? readFileSync(output, 'utf8').split('\n').filter(Boolean).sort() : [];
  return { ...r, report: json, lines };
}

beforeAll(async () => {
  const peers = loadPeersEnv();
  endpoint = peers.motoEndpoint;
  awsBin = peers.vars.get('AWS_CLI_BIN') ?? 'aws';
  awsEnv = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '/tmp',
    AWS_ACCESS_KEY_ID: peers.vars.get('AWS_ACCESS_KEY_ID') ?? 'testing',
    AWS_SECRET_ACCESS_KEY: peers.vars.get('AWS_SECRET_ACCESS_KEY') ?? 'testing',
    AWS_DEFAULT_REGION: peers.awsRegion,
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  };
  mkdirSync(work, { recursive: true });
  // The core service's lines of a few executions; CloudWatch timestamps are "now" (moto, like
  // CloudWatch, drops events older than the retention window), the lines keep their own times.
  const lines = componentLines(generateFixtureSet({ seed: 9, executions: 5 }), 'core');
  lineCount = lines.length;
  summaryCount = lines.filter((l) => l.text.includes('"[event] ')).length;
  expect(lineCount).toBeGreaterThan(10);
  const now = Date.now() - 60_000;
  await aws(['logs', 'create-log-group', '--log-group-name', GROUP]);
  await aws(['logs', 'create-log-stream', '--log-group-name', GROUP, '--log-stream-name', 'ecs/core/1']);
  const events = save('events.json', JSON.stringify(lines.map((l, i) => ({ timestamp: now + i, message: l.text }))));
  await aws([
    'logs',
    'put-log-events',
    '--log-group-name',
    GROUP,
    '--log-stream-name',
    'ecs/core/1',
    '--log-events',
    `file://${events}`,
  ]);
}, 120_000);

describe('aws logs filter-log-events', () => {
  it('--max-items 3: the 3 events are read, and stderr and the report say the input is partial', async () => {
    const text = await aws(['logs', 'filter-log-events', '--log-group-name', GROUP, '--max-items', '3']);
    expect(JSON.parse(text)).toHaveProperty('NextToken');
    const r = await backfill(save('max-items.json', text), 'max-items');
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ linesRead: 3 });
    expect(r.report!['partialInputs']).toEqual([
      expect.stringMatching(/max-items\.json is partial: .*NextToken.*--starting-token/),
    ]);
    expect(r.stderr).toMatch(/^alakai-otel backfill: warning: .*max-items\.json is partial/m);
  });

  it("--query 'events[].message' (an array of strings) gives the same spans as the whole output", async () => {
    const whole = await backfill(
      save('all.json', await aws(['logs', 'filter-log-events', '--log-group-name', GROUP])),
      'all',
    );
    expect(whole.code).toBe(0);
    expect(whole.report).toMatchObject({ linesRead: lineCount, partialInputs: [] });
    expect(whole.report!['spansWritten']).toBeGreaterThanOrEqual(summaryCount / 2);
    spansWritten = whole.report!['spansWritten'] as number;
    const query = await aws(['logs', 'filter-log-events', '--log-group-name', GROUP, '--query', 'events[].message']);
    expect(Array.isArray(JSON.parse(query))).toBe(true);
    const r = await backfill(save('messages.json', query), 'messages');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ linesRead: lineCount, spansWritten });
    expect(r.lines).toEqual(whole.lines);
  });
});

describe("aws logs start-query + get-query-results (the runbook's CLI path)", () => {
  async function queryResults(queryString: string): Promise<string> {
    const nowS = Math.floor(Date.now() / 1000);
    const started = JSON.parse(
      await aws([
        'logs',
        'start-query',
        '--log-group-names',
        GROUP,
        '--start-time',
        String(nowS - 3600),
        '--end-time',
        String(nowS + 60),
        '--query-string',
        queryString,
      ]),
    ) as { queryId: string };
    for (let i = 0; i < 30; i++) {
      const text = await aws(['logs', 'get-query-results', '--query-id', started.queryId]);
      if ((JSON.parse(text) as { status: string }).status === 'Complete') return text;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('query did not complete');
  }

  it('rows with @message are read as the lines: the same spans as filter-log-events', async () => {
    const text = await queryResults('fields @timestamp, @message | sort @timestamp asc | limit 10000');
    const r = await backfill(save('query-results.json', text), 'query-results');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ linesRead: lineCount, spansWritten });
    const whole = await backfill(join(work, 'all.json'), 'all-again');
    expect(r.lines).toEqual(whole.lines);
  });

  it("the guide's runbook query (no @message) is refused with the advice to add @message to its fields", async () => {
    const text = await queryResults(
      'fields @timestamp, context.component, event, outcome, final_status, duration_ms, error.type, error.message | sort @timestamp asc',
    );
    const r = await backfill(save('runbook-results.json', text), 'runbook-results');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /runbook-results\.json is `aws logs get-query-results` output without @message: add @message to the query's fields/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

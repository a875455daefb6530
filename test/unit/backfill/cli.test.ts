/**
 * The commands as users run them (the built CLI in a child process): the exact command
 * lines, `trace` rows for an error execution and a slot-contention one, `live` passthrough, and
 * user errors as one line with exit code 2.
 */
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_GROUPS } from '../../../src/contract/summary-event.js';
import { componentLines, COMPONENT_ORDER } from '../../fixtures/backfill/generate-fixtures.js';
import { CLI, REPO_ROOT, readSpans, tempDir, writtenFixture, type WrittenFixture } from './backfill-fixture.js';
import { startFakeCloudWatch, type FakeCloudWatch } from './fake-cloudwatch.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/fake-otlp-receiver.js';

const run = promisify(execFile);
let fx: WrittenFixture;

/** No AWS or OTel settings from the developer's shell; nothing may reach a real AWS endpoint. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('OTEL_')),
  );
  return {
    ...env,
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:9',
    ...extra,
  };
}

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await run(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: cleanEnv(env),
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  fx = await writtenFixture({ seed: 21, executions: 14 });
});

describe('backfill command', () => {
  it('backfill --input FILE… --output FILE --report FILE: quiet, exit 0, JSON report with the counts', async () => {
    const dir = await tempDir();
    const output = join(dir, 'out.jsonl');
    const report = join(dir, 'report.json');
    const r = await cli(['backfill', '--input', ...fx.ndjson, '--output', output, '--report', report]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const json = JSON.parse(await readFile(report, 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({
      linesRead: fx.set.lines.length,
      spansWritten: fx.set.validSummaryEvents,
      rejected: fx.set.rejected,
    });
    expect(typeof json['durationMs']).toBe('number');
    expect(readSpans(await readFile(output, 'utf8')).spans).toHaveLength(fx.set.validSummaryEvents);
  });

  it('prints the closing report on stderr when no --report file is asked for', async () => {
    const r = await cli(['backfill', '--input', fx.awsJson[0]!, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/lines read\s+\d+/);
    expect(r.stderr).toMatch(/rejected lines/);
  });

  it.each([
    [['backfill', '--bogus'], /unknown flag --bogus/],
    [
      ['backfill', '--input', '/nonexistent/x.ndjson', '--output', '/tmp/x'],
      /cannot read \/nonexistent\/x.ndjson: no such file/,
    ],
    [['backfill', '--output', '/tmp/x'], /needs --input/],
    [['backfill', '--input', 'a', '--since', '2h', '--output', '/tmp/x'], /not both/],
    [['backfill', '--since', 'yesterday', '--output', '/tmp/x'], /--since must look like/],
    [['backfill', '--input', '-', '--output', '/tmp/x', '--checkpoint', '/tmp/cp'], /cannot be used with stdin/],
  ])('user error %j → exit 2 and one line', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('missing AWS credentials → exit 2, one line, no stack trace', async () => {
    const r = await cli(['backfill', '--since', '1h', '--output', join(await tempDir(), 'o.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'alakai-otel backfill: no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
    );
  });

  it('--help for each command', async () => {
    for (const command of ['backfill', 'trace', 'live']) {
      const r = await cli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`usage:.*${command}`, 's'));
    }
  });
});

describe("backfill --since 2h --otlp-endpoint URL (CloudWatch through the SDK's own endpoint variable)", () => {
  let cw: FakeCloudWatch;
  let otlp: OtlpReceiver;
  let recent: WrittenFixture;
  beforeAll(async () => {
    recent = await writtenFixture({ seed: 8, executions: 10, spacingMs: 30_000, startMs: Date.now() - 90 * 60_000 });
    const groups: Record<string, { timestamp: number; message: string }[]> = {};
    for (const c of COMPONENT_ORDER)
      groups[LOG_GROUPS[c]] = componentLines(recent.set, c).map((l) => ({ timestamp: l.timeMs, message: l.text }));
    cw = await startFakeCloudWatch({ groups, pageSize: 6 });
    otlp = await startOtlpReceiver('ok');
  });
  afterAll(async () => {
    await cw?.close();
    await otlp?.close();
  });

  it('reads the three default log groups and exports every span', async () => {
    const r = await cli(['backfill', '--since', '2h', '--otlp-endpoint', otlp.url], {
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cw.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'fake',
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`spans written\\s+${recent.set.validSummaryEvents}`));
    expect(otlp.acceptedSpans()).toHaveLength(recent.set.validSummaryEvents);
    // 2 h is past the 1 h threshold: Logs Insights, one query naming all three groups a window.
    const queries = cw.requests.filter((q) => q.target === 'Logs_20140328.StartQuery');
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) expect(q.body['logGroupNames']).toEqual(Object.values(LOG_GROUPS));
  });

  it('trace finds an execution in CloudWatch with the id as a quoted filter term', async () => {
    const exec = recent.set.executions.find((e) => e.scenario === 'worker_error')!;
    const r = await cli(['trace', exec.traceId, '--since', '3h', '--json'], {
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cw.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'fake',
    });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { slices: { component: string }[] };
    expect(json.slices.map((s) => s.component)).toEqual(['core', 'orchestrator', 'worker']);
    expect(cw.requests.some((q) => q.body['filterPattern'] === `"${exec.traceId}"`)).toBe(true);
  });

  it('trace --insights runs the runbook query and prints the same slices', async () => {
    const exec = recent.set.executions.find((e) => e.scenario === 'slot_contention')!;
    const env = {
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cw.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'fake',
    };
    const viaInsights = await cli(['trace', exec.traceId, '--since', '3h', '--json', '--insights'], env);
    const viaFilter = await cli(['trace', exec.traceId, '--since', '3h', '--json'], env);
    expect(viaInsights.code).toBe(0);
    expect(JSON.parse(viaInsights.stdout)).toEqual(JSON.parse(viaFilter.stdout));
    expect(
      cw.requests.some(
        (q) =>
          q.target === 'Logs_20140328.StartQuery' &&
          String(q.body['queryString']).includes(`filter trace_id = "${exec.traceId}"`),
      ),
    ).toBe(true);
  });
});

describe('trace command on the fixture files', () => {
  it('shows the rows of an error execution: failed step, error, no PR', async () => {
    const exec = fx.set.executions.find((e) => e.scenario === 'worker_error')!;
    const r = await cli(['trace', exec.traceId, '--input', ...fx.ndjson, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as {
      traceId: string;
      slices: Record<string, unknown>[];
      stepLogs: unknown[];
      spans: { parentSpanId: string | null }[];
    };
    expect(json.traceId).toBe(exec.traceId);
    expect(json.slices.map((s) => [s['component'], s['outcome'], s['final_status']])).toEqual([
      ['core', 'success', 'enqueued'],
      ['orchestrator', 'success', 'task_launched'],
      ['worker', 'error', 'agent_failed'],
    ]);
    expect(json.slices[2]).toMatchObject({
      failed_step: 'run_agent',
      error_type: 'AgentTimeoutError',
      error_message: 'agent exceeded 240s budget',
      pr_url: null,
    });
    expect(json.stepLogs).toHaveLength(exec.stepLogs);
    expect(json.spans.filter((s) => s.parentSpanId === null)).toHaveLength(1);
  });

  it('shows both orchestrator attempts of a slot-contention execution, as text with a waterfall', async () => {
    const exec = fx.set.executions.find((e) => e.scenario === 'slot_contention')!;
    // The 32-hex form of the id works too.
    const r = await cli(['trace', exec.traceId.replace(/-/g, ''), '--input', ...fx.ndjson, '--width', '100']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT/.test(l));
    expect(rows).toHaveLength(4);
    expect(rows[1]).toMatch(/orchestrator\s+\S+\s+skipped\s+slot_unavailable\s+\S+\s+acquire_slot/);
    expect(rows[2]).toMatch(/orchestrator\s+\S+\s+success\s+task_launched/);
    expect(rows[3]).toMatch(/worker\s+\S+\s+success\s+pr_opened .*https:\/\/github\.com\/.+\/pull\/\d+/);
    expect(r.stdout).toContain('no free slot, will retry');
    // Waterfall: the worker indented two levels (core → orchestrator → worker).
    expect(r.stdout).toMatch(/\n {4}\S+implementation\s+\S+ \|/);
  });

  it('not found → a clear message and exit 1; an id the trace-id policy refuses → exit 2', async () => {
    const missing = await cli(['trace', '00000000-0000-4000-8000-000000000001', '--input', ...fx.ndjson]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no lines with trace_id 00000000-0000-4000-8000-000000000001/);
    // A non-UUID id is an id like any other (issue 11): looked for, not refused.
    const other = await cli(['trace', 'not-a-trace', '--input', ...fx.ndjson]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/no lines with trace_id not-a-trace/);
    const bad = await cli(['trace', 'x'.repeat(300), '--input', ...fx.ndjson]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/TRACE_ID is longer than 256 characters/);
  });
});

describe('live command', () => {
  it('passes stdin through unchanged and writes one span per summary event', async () => {
    const dir = await tempDir();
    const output = join(dir, 'live.jsonl');
    const input = await readFile(fx.ndjson[2]!, 'utf8');
    const child = spawn(process.execPath, [CLI, 'live', '--output', output], { cwd: REPO_ROOT, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.end(input);
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout === input).toBe(true);
    const summaries = componentLines(fx.set, 'worker').filter((l) => l.text.includes('"msg":"[event] ')).length;
    const { spans } = readSpans(await readFile(output, 'utf8'));
    // Per event, no linking: the duplicate-free count of valid worker summary lines, each a root.
    expect(spans.length).toBeGreaterThan(0);
    expect(spans.length).toBeLessThanOrEqual(summaries);
    expect(spans.every((s) => s.parentSpanId === undefined)).toBe(true);
  });
});

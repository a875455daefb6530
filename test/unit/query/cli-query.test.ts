/** The built CLI: `alakai-otel query` over files, --list, refusals, and the generated parser's freshness (CloudWatch: cli-query-cloudwatch.test.ts). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/alakai-otel.js'), 'query', ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'query-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = [
  {
    time: '2026-03-01T10:00:00.000Z',
    event: 'slack.prompt',
    outcome: 'error',
    final_status: 'slot_unavailable',
    context: { component: 'orchestrator' },
    trace_id: 't1',
    duration_ms: 5,
  },
  {
    time: '2026-03-01T11:00:00.000Z',
    event: 'slack.prompt',
    outcome: 'success',
    final_status: 'done',
    context: { component: 'worker' },
    trace_id: 't2',
    duration_ms: 400_000,
  },
  {
    time: '2026-03-01T12:00:00.000Z',
    event: 'coding.implementation',
    outcome: 'error',
    final_status: 'x,"y"',
    context: { component: 'worker' },
    trace_id: 't3',
    duration_ms: 700_000,
  },
];
const ndjson = join(dir, 'a.ndjson');
writeFileSync(ndjson, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
// The aws CLI's filter-log-events output: @timestamp is the event's CloudWatch timestamp.
const awsJson = join(dir, 'events.json');
writeFileSync(
  awsJson,
  JSON.stringify(
    { events: [{ logStreamName: 's', timestamp: Date.UTC(2026, 3, 1), message: JSON.stringify(lines[0]) + '\n' }] },
    null,
    2,
  ),
);

describe('alakai-otel query (built CLI)', () => {
  it('runs a named query over files as a table, --json and --csv', () => {
    const t = cli('slow', '--over', '10m', '--input', ndjson);
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/^@timestamp\s+trace_id\s+event/);
    expect(t.stdout).toContain('t3');
    expect(t.stdout).not.toContain('t2');
    const j = JSON.parse(cli('errors', '--input', ndjson, '--json').stdout);
    expect(j.engine).toBe('local');
    expect((j.rows as { trace_id: string }[]).map((r) => r.trace_id)).toEqual(['t3', 't1']);
    expect(j.statistics).toEqual({ recordsScanned: 3, recordsMatched: 2 });
    const c = cli('errors', '--input', ndjson, '--csv').stdout.split('\r\n');
    expect(c[0]).toBe('@timestamp,context.component,event,outcome,final_status,error.type,error.message,trace_id');
    expect(c[1]).toBe('2026-03-01 12:00:00.000,worker,coding.implementation,error,"x,""y""",,,t3');
  });
  it('takes --query, the time window, and aws CLI JSON with its CloudWatch timestamps', () => {
    const r = JSON.parse(
      cli(
        '--query',
        'stats count() as n by bin(1h)',
        '--input',
        ndjson,
        '--start',
        '2026-03-01T10:30:00Z',
        '--end',
        '2026-03-01T13:00:00Z',
        '--json',
      ).stdout,
    );
    expect(r.rows).toEqual([
      { 'bin(1h)': '2026-03-01 11:00:00.000', n: 1 },
      { 'bin(1h)': '2026-03-01 12:00:00.000', n: 1 },
    ]);
    const a = JSON.parse(cli('slots', '--input', awsJson, '--json').stdout);
    expect(a.rows).toEqual([
      {
        '@timestamp': '2026-04-01 00:00:00.000',
        trace_id: 't1',
        event: 'slack.prompt',
        final_status: 'slot_unavailable',
      },
    ]);
  });
  it('--list prints every named query with its text', () => {
    const r = cli('--list');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('# p90 / p99 duration per event and component  (alakai-otel query percentiles)');
    expect(r.stdout).toContain('| filter (event like /^slack\\./) and outcome = "error"');
  });
  it('user mistakes and refused queries: one line on stderr, exit 2', () => {
    for (const args of [
      ['--query', 'parse @message "x" as y', '--input', ndjson],
      ['nope', '--input', ndjson],
      ['repo', '--input', ndjson],
      ['repo', 'a"b', '--input', ndjson],
      ['errors', '--input', ndjson, '--log-group', '/ecs/x'],
      ['errors', '--input', ndjson, '--region', 'us-east-1'],
      ['errors', '--input', join(dir, 'missing.ndjson')],
    ]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^alakai-otel query: /);
    }
  });
  it('the checked-in parser is what grammar.peggy gives', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/gen-query-parser.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

/** The built CLI: `alakai-otel report` as tables, its mistakes, and `query --html` / `report --html` writing their file. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inWindow, reportLines, WINDOW_FLAGS } from './report-lines.js';

const root = join(import.meta.dirname, '../../..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/alakai-otel.js'), ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const logs = join(dir, 'logs.ndjson');
writeFileSync(
  logs,
  reportLines()
    .map((l) => JSON.stringify(l))
    .join('\n') + '\n',
);

describe('alakai-otel report (built CLI)', () => {
  it('prints the four sections as aligned tables', () => {
    const r = cli('report', '--input', logs, ...WINDOW_FLAGS);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out.split('\n')[0]).toBe(
      'alakai-otel report: 2026-03-02 00:00:00.000 to 2026-03-03 00:00:00.000 UTC (before: 2026-03-01 00:00:00.000 to 2026-03-02 00:00:00.000 UTC)',
    );
    for (const h of [
      'Errors by event, component and final_status',
      'Slowest executions',
      'Orchestrator slot contention',
      'p90 / p99 duration against the previous period',
    ])
      expect(out).toContain(`\n${h}\n${'='.repeat(h.length)}\n`);
    const errors = reportLines().filter((l) => inWindow(l) && l.outcome === 'error').length;
    expect(out).toContain(`${errors} errors in `);
    expect(out).toMatch(/^event\s+context\.component\s+final_status\s+errors$/m);
    expect(out).toContain(`alakai-otel trace 00000002-0000-4000-8000-000000000039 --input ${logs}`);
  });

  it('--html writes the page instead, checked before anything runs', () => {
    const file = join(dir, 'r.html');
    const r = cli('report', '--input', logs, ...WINDOW_FLAGS, '--html', file);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`alakai-otel report: wrote ${file} (open it in a browser; it needs no network)\n`);
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.includes("Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-")).toBe(true);
    // Nothing loaded from elsewhere (the browser test also watches the network while the page loads).
    expect(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=/i.test(html)).toBe(false);
    expect(html.match(/<script\b/g)).toHaveLength(3);
  });

  it('user mistakes: one line on stderr, exit 2, and no file written', () => {
    const page = join(dir, 'never.html');
    for (const args of [
      ['report'],
      ['report', '--input', '-'],
      ['report', 'extra', '--input', logs],
      ['report', '--input', logs, '--log-group', 'g'],
      ['report', '--input', logs, '--since', 'soon'],
      ['report', '--input', logs, '--html', logs],
      ['report', '--input', logs, '--html', join(dir, 'no/such/dir.html')],
      ['query', 'errors', '--input', logs, '--html', page, '--json'],
      ['query', 'errors', '--input', logs, '--html', logs],
    ]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^alakai-otel (report|query): /);
    }
    expect(existsSync(page)).toBe(false);
    // The input named as --html was refused, not overwritten.
    expect(readFileSync(logs, 'utf8').startsWith('{')).toBe(true);
  });

  it('--help names every flag, and the command is listed', () => {
    const h = cli('report', '--help').stdout;
    for (const f of ['--input', '--since', '--start', '--end', '--html']) expect(h).toContain(f);
    expect(cli('--help').stdout).toMatch(/^ {2}report +the on-call page/m);
    expect(cli('query', '--help').stdout).toContain('--html FILE');
  });
});

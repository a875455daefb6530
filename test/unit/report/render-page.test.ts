/**
 * The page as text, in process: the Content-Security-Policy hashes are those of the page's own
 * two scripts (so the browser runs them and nothing else), every text from the doc is escaped,
 * and the page file is replaced whole.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatReportText } from '../../../src/cli/report.js';
import { localFileEngine } from '../../../src/cli/query-local-engine.js';
import { eventFromLine, parseQuery, runQuery } from '../../../src/query/index.js';
import { reportSections, runReportQueries } from '../../../src/report/on-call-report.js';
import { queryPageDoc } from '../../../src/report/query-page.js';
import { renderPage } from '../../../src/report/render-page.js';
import { writePage } from '../../../src/report/write-page.js';
import { HOSTILE, reportLines, WINDOW } from './report-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'render-page-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = reportLines({ hostile: true });
const text = 'filter outcome = "error" | stats count() as errors by bin(1h), final_status';
const result = runQuery(
  parseQuery(text),
  lines.map((l) => eventFromLine(JSON.stringify(l))),
);

describe('renderPage', () => {
  const html = renderPage(
    queryPageDoc(text, result, {
      title: HOSTILE,
      engine: 'local',
      source: `1 file (${HOSTILE})`,
      window: WINDOW,
      generatedAt: new Date(0),
    }),
  );

  it('allows by hash exactly the inline scripts it holds, and no network', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[^']+' 'sha256-[^']+'; style-src 'unsafe-inline';/);
    const executable = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(executable).toHaveLength(2);
    const hashes = executable.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`);
    expect(csp).toContain(`script-src ${hashes.join(' ')};`);
    expect(html.match(/<script\b/g)).toHaveLength(3);
  });

  it('escapes every text from the doc and the lines; the data script gives the values back', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('<title>alakai-otel query: &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(html).toContain('<td>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    const data = /<script type="application\/json" id="page-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const parsed = JSON.parse(data) as { charts: { spec: { series: { name: string }[] } }[] };
    expect(parsed.charts[0]!.spec.series.map((s) => s.name)).toContain(HOSTILE);
  });
});

describe('queryPageDoc', () => {
  it('says when the result is truncated and why there is no chart; --query has a title of its own', () => {
    const rows = runQuery(
      parseQuery('fields trace_id | limit 2'),
      lines.map((l) => eventFromLine(JSON.stringify(l))),
    );
    const doc = queryPageDoc('fields trace_id | limit 2', rows, {
      title: undefined,
      engine: 'local',
      source: '1 file (x)',
      window: undefined,
      generatedAt: new Date(0),
    });
    expect(doc.title).toBe('alakai-otel query: custom query');
    expect(doc.facts).toContain('window: all of the input');
    expect(doc.sections[0]!.notes).toEqual([
      `2 rows; ${lines.length} of ${lines.length} events matched.`,
      'TRUNCATED: more rows matched than shown (the query’s limit, or the 10,000-row maximum).',
      'No chart: rows without stats and without a …_ms duration column.',
    ]);
    const page = renderPage(doc);
    expect(page).not.toContain('<canvas');
    expect(page).not.toContain('<nav>');
  });
});

describe('writePage', () => {
  it('replaces the file whole and leaves no temporary file', async () => {
    const file = join(dir, 'p.html');
    writeFileSync(file, 'old');
    await writePage(file, '<!doctype html>new');
    expect(readFileSync(file, 'utf8')).toBe('<!doctype html>new');
    expect(readdirSync(dir)).toEqual(['p.html']);
    await expect(writePage(join(dir, 'missing/p.html'), 'x')).rejects.toThrow();
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});

describe('formatReportText', () => {
  it('prints each section with its heading, notes and table, control characters removed', async () => {
    const file = join(dir, 'l.ndjson');
    const ansi = {
      time: '2026-03-02T05:00:00.000Z',
      event: 'e',
      outcome: 'error',
      final_status: 'clear\u001b[2J\rscreen',
      context: { component: 'core' },
    };
    writeFileSync(file, [...lines, ansi].map((l) => JSON.stringify(l)).join('\n') + '\n');
    const answers = await runReportQueries(localFileEngine([file]), WINDOW);
    const out = formatReportText(answers, reportSections(answers, { traceArgs: ['--input', file] }));
    expect(out).toContain('\nSlowest executions\n==================\n');
    expect(out).toContain(HOSTILE);
    expect(out).toContain('clear [2J screen');
    // eslint-disable-next-line no-control-regex -- what the terminal must never get from a log line
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});

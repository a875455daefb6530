/**
 * `query --html` and `report --html` from the installed package: Chart.js is found in the app's
 * node_modules (a dependency, inlined into the page), so the page a user writes has its charts.
 * The browser checks live in test/unit/report/pages.browser.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consumerApp } from './harness/app.js';

const app = consumerApp();

describe('--html pages from the installed package', () => {
  it('query percentiles --html and report --html write pages with Chart.js inside', async () => {
    const line = (component: string, ms: number, outcome: string) =>
      JSON.stringify({
        time: '2026-03-02T10:00:00.000Z',
        event: 'coding.implementation',
        outcome,
        final_status: outcome === 'error' ? 'push_failed' : 'pr_opened',
        duration_ms: ms,
        trace_id: '3f1b7a7e-0000-4000-8000-000000000001',
        context: { component },
      });
    const logs = app.write(
      'html/logs.ndjson',
      [line('core', 5, 'success'), line('worker', 90, 'error')].join('\n') + '\n',
    );
    const window = ['--start', '2026-03-02T00:00:00Z', '--end', '2026-03-03T00:00:00Z'];
    for (const [args, page] of [
      [['query', 'percentiles', '--input', logs], join(app.dir, 'html/q.html')],
      [['report', '--input', logs, ...window], join(app.dir, 'html/r.html')],
    ] as const) {
      const r = await app.cli([...args, '--html', page]);
      expect(r.stderr, args.join(' ')).toContain(`wrote ${page}`);
      expect(r.code).toBe(0);
      const html = readFileSync(page, 'utf8');
      expect(html).toContain(' * Chart.js v4.6.1');
      expect(html).toContain('<canvas data-chart="0"');
    }
  });
});

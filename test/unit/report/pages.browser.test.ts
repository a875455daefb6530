/**
 * The pages `query --html` and `report --html` write, opened from file:// in headless Chromium
 * with the network cut: the tables hold the result's rows, every chart is drawn with the result's
 * data points (read back from Chart.js, and its colours counted on the canvas), the console stays
 * clean, nothing is fetched, and hostile field values show as text without running. Screenshots
 * are kept in test-artifacts/ (or $ALAKAI_TEST_ARTIFACTS); the paths are printed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launch, offlinePage, requireChromium, type PageWatch } from '../../support/chromium.js';
import { HOSTILE, inWindow, reportLines, WINDOW_FLAGS } from './report-lines.js';

const chromiumBin = requireChromium();
const root = join(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'pages-'));
const logs = join(dir, 'logs.ndjson');
const hostileLogs = join(dir, 'hostile.ndjson');
writeFileSync(
  logs,
  reportLines()
    .map((l) => JSON.stringify(l))
    .join('\n') + '\n',
);
writeFileSync(
  hostileLogs,
  reportLines({ hostile: true })
    .map((l) => JSON.stringify(l))
    .join('\n') + '\n',
);

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(root, 'bin/alakai-otel.js'), ...args], { encoding: 'utf8' });
}

/** Writes a page with the CLI; returns the path. */
function page(name: string, ...args: string[]): string {
  const file = join(dir, `${name}.html`);
  const r = cli(...args, '--html', file);
  expect(r.stderr).toContain(`wrote ${file}`);
  expect(r.status, r.stderr).toBe(0);
  return file;
}

interface DrawnChart {
  type: string;
  title: string;
  labels: string[];
  datasets: { label: string; data: (number | null)[]; elements: number; colourPixels: number }[];
}

/** Read in the page: each chart's Chart.js instance, and how many canvas pixels have each series' colour. */
const CHARTS_IN_PAGE = `Array.from(document.querySelectorAll('canvas[data-chart]')).map(function (canvas) {
  var chart = Chart.getChart(canvas);
  var img = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  return {
    type: chart.config.type,
    title: canvas.getAttribute('aria-label'),
    labels: chart.data.labels,
    datasets: chart.data.datasets.map(function (d, i) {
      var hex = d.backgroundColor, r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
      var n = 0;
      for (var p = 0; p < img.length; p += 4) if (img[p] === r && img[p + 1] === g && img[p + 2] === b && img[p + 3] === 255) n++;
      return { label: d.label, data: d.data, elements: chart.getDatasetMeta(i).data.length, colourPixels: n };
    })
  };
})`;

let browser: Browser;
beforeAll(async () => {
  if (chromiumBin) browser = await launch(chromiumBin);
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(file: string): Promise<{ page: Page; watch: PageWatch; charts: DrawnChart[] }> {
  const { page, watch } = await offlinePage(browser);
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-charts]', { state: 'attached', timeout: 15_000 }).catch((err: Error) => {
    throw new Error(
      `the page script never finished (${err.message.split('\n')[0]}); console: ${watch.errors.join(' | ')}`,
    );
  });
  expect(await page.getAttribute('html', 'data-charts'), watch.errors.join(' | ')).toBe('drawn');
  const charts = await page.evaluate<DrawnChart[]>(CHARTS_IN_PAGE);
  return { page, watch, charts };
}

async function screenshot(page: Page, name: string): Promise<void> {
  const path = artifactPath(name);
  await page.screenshot({ path, fullPage: true });
  process.stdout.write(`screenshot: ${path}\n`);
}

function expectDrawn(charts: DrawnChart[]): void {
  for (const c of charts)
    for (const d of c.datasets) {
      expect(d.elements, `${c.title}: ${d.label}`).toBe(d.data.length);
      // A series with a value above zero shows as pixels of its colour.
      if (d.data.some((v) => (v ?? 0) > 0)) expect(d.colourPixels, `${c.title}: ${d.label}`).toBeGreaterThan(20);
    }
}

function expectQuiet(watch: PageWatch): void {
  expect(watch.errors).toEqual([]);
  expect(watch.requests).toEqual([]);
  expect(watch.dialogs).toEqual([]);
}

async function tableRows(page: Page, section = 0): Promise<string[][]> {
  return page
    .locator('section')
    .nth(section)
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from((tr as unknown as { cells: { textContent: string }[] }).cells, (td) => td.textContent),
      ),
    );
}

describe.skipIf(!chromiumBin)('the pages in headless Chromium, offline', () => {
  it('query percentiles --html: the rows, and p90/p99 bars per event × component with the result values', async () => {
    const file = page('percentiles', 'query', 'percentiles', '--input', logs, ...WINDOW_FLAGS);
    const json = JSON.parse(cli('query', 'percentiles', '--input', logs, ...WINDOW_FLAGS, '--json').stdout) as {
      columns: string[];
      rows: Record<string, unknown>[];
    };
    const { page: p, watch, charts } = await open(file);
    expect(await tableRows(p)).toEqual(json.rows.map((r) => json.columns.map((c) => String(r[c]))));
    expect(charts.map((c) => [c.type, c.datasets.map((d) => d.label)])).toEqual([
      ['bar', ['p90_ms', 'p99_ms']],
      ['bar', ['total']],
    ]);
    expect(charts[0]!.labels).toEqual(
      json.rows.map((r) => `${String(r['event'])} · ${String(r['context.component'])}`),
    );
    expect(charts[0]!.datasets[1]!.data).toEqual(json.rows.map((r) => r['p99_ms']));
    expect(charts[1]!.datasets[0]!.data).toEqual(json.rows.map((r) => r['total']));
    expectDrawn(charts);
    expectQuiet(watch);
    await screenshot(p, 'query-percentiles.png');
  });

  it('errors by final_status over time: stacked bars, one series a status, each hour of the window', async () => {
    const text = 'filter outcome = "error" | stats count() as errors by bin(1h), final_status';
    const file = page('errors-over-time', 'query', '--query', text, '--input', logs, ...WINDOW_FLAGS);
    const { page: p, watch, charts } = await open(file);
    expect(charts).toHaveLength(1);
    const byHand = new Map<string, number[]>();
    for (const l of reportLines().filter((x) => inWindow(x) && x.outcome === 'error')) {
      const v = byHand.get(l.final_status) ?? new Array<number>(24).fill(0);
      v[new Date(l.time).getUTCHours()]!++;
      byHand.set(l.final_status, v);
    }
    expect(charts[0]!.labels).toHaveLength(24);
    expect(new Map(charts[0]!.datasets.map((d) => [d.label, d.data]))).toEqual(byHand);
    expectDrawn(charts);
    expectQuiet(watch);
    await screenshot(p, 'query-errors-over-time.png');
  });

  it('query slow --html: the distribution of slow executions as a histogram of their rows', async () => {
    const file = page('slow', 'query', 'slow', '--over', '2m', '--input', logs);
    const json = JSON.parse(cli('query', 'slow', '--over', '2m', '--input', logs, '--json').stdout);
    const { page: p, watch, charts } = await open(file);
    expect((await tableRows(p)).length).toBe(json.rows.length);
    expect(charts.map((c) => c.type)).toEqual(['bar']);
    const counts = charts[0]!.datasets[0]!.data as number[];
    expect(counts.reduce((a, b) => a + b, 0)).toBe(json.rows.length);
    expectDrawn(charts);
    expectQuiet(watch);
    await screenshot(p, 'query-slow.png');
  });

  it('report --html: the four sections, every chart drawn, a trace command on each slow execution', async () => {
    const file = page('report', 'report', '--input', logs, ...WINDOW_FLAGS);
    const { page: p, watch, charts } = await open(file);
    expect(await p.locator('section h2').allTextContents()).toEqual([
      'Errors by event, component and final_status',
      'Slowest executions',
      'Orchestrator slot contention',
      'p90 / p99 duration against the previous period',
    ]);
    expect(charts.map((c) => c.type)).toEqual(['bar', 'bar', 'bar', 'bar']);
    expect(charts[0]!.labels).toHaveLength(48);
    const slow = await tableRows(p, 1);
    expect(slow).toHaveLength(20);
    for (const r of slow) expect(r[6]).toBe(`alakai-otel trace ${r[5]} --input ${logs}`);
    expect(charts[3]!.datasets.map((d) => d.label)).toEqual(['p90 before', 'p90 now', 'p99 before', 'p99 now']);
    expectDrawn(charts);
    expectQuiet(watch);
    await screenshot(p, 'report.png');
  });

  it('hostile field values: shown as text, never run, in tables and chart labels alike', async () => {
    const errors = page('hostile-errors', 'query', 'errors', '--input', hostileLogs);
    const html = readFileSync(errors, 'utf8');
    expect(html).not.toContain(HOSTILE);
    for (const file of [
      errors,
      page(
        'hostile-bins',
        'query',
        '--query',
        'filter outcome = "error" | stats count() by bin(6h), final_status',
        '--input',
        hostileLogs,
      ),
      page('hostile-report', 'report', '--input', hostileLogs, ...WINDOW_FLAGS),
    ]) {
      const { page: p, watch, charts } = await open(file);
      expectQuiet(watch);
      // Only the page's own three scripts exist (data, Chart.js, page script).
      expect(await p.evaluate('document.scripts.length')).toBe(3);
      const cells = await p.locator('td').allTextContents();
      expect(cells.filter((c) => c === HOSTILE).length, file).toBeGreaterThan(0);
      expectDrawn(charts);
      if (file.includes('bins')) expect(charts[0]!.datasets.map((d) => d.label)).toContain(HOSTILE);
      if (file.includes('report')) {
        expect(charts[0]!.datasets.map((d) => d.label)).toContain(HOSTILE);
        expect(cells).toContain('__proto__');
        await screenshot(p, 'hostile-report.png');
      }
      expect(await p.evaluate('({}).polluted === undefined && Object.getPrototypeOf({}) === Object.prototype')).toBe(
        true,
      );
    }
  });
});

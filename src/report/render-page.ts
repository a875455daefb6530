/**
 * A PageDoc → one self-contained HTML file: styles, data, Chart.js and the page script all
 * inline, nothing fetched, so the page opens from a file:// URL offline (an incident laptop, an
 * attachment). Text from log lines goes in escaped (html-text.ts); chart data goes in as JSON in a
 * non-executed script element. A Content-Security-Policy allows exactly the two inline scripts
 * (by hash) and no network at all, so even an escaping mistake could not run or fetch anything.
 * https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy/script-src
 */
import { createHash } from 'node:crypto';
import { chartLibrary } from './chart-library.js';
import { escapeHtml, jsonForScript } from './html-text.js';
import type { ChartSpec, PageDoc, PageSection, TableSpec } from './page-model.js';
import { PAGE_SCRIPT } from './page-script.js';

/** Bar charts with more categories than this are drawn sideways, one bar a line, labels readable. */
const SIDEWAYS_AFTER = 10;

interface ChartLayout {
  spec: ChartSpec;
  horizontal: boolean;
  heightPx: number;
}

function layout(spec: ChartSpec): ChartLayout {
  const horizontal = spec.kind === 'bar' && spec.labels.length > SIDEWAYS_AFTER;
  const perBar = 14 + 8 * Math.max(1, spec.series.length);
  return { spec, horizontal, heightPx: horizontal ? Math.min(1600, 90 + spec.labels.length * perBar) : 320 };
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const STYLE = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; color: #1f2328; }
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
.facts { color: #57606a; margin: 0; padding-left: 1.2rem; }
nav a { margin-right: 1rem; }
figure.chart { margin: 1rem 0; }
.chart-box { position: relative; width: 100%; }
figcaption { color: #57606a; font-size: .9rem; }
.chart-failed { color: #cf222e; }
.table-wrap { overflow-x: auto; max-height: 70vh; overflow-y: auto; border: 1px solid #d0d7de; }
table { border-collapse: collapse; font-size: .85rem; width: 100%; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eaeef2; white-space: nowrap; vertical-align: top; }
td.long { white-space: pre-wrap; overflow-wrap: anywhere; min-width: 24rem; }
th { position: sticky; top: 0; background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, "Liberation Mono", monospace; font-size: .85rem; }
pre { background: #f6f8fa; padding: .5rem; overflow-x: auto; }
.empty { color: #57606a; font-style: italic; }
footer { margin-top: 2rem; color: #57606a; font-size: .8rem; }
`;

const NUMBER = /^-?\d+(?:\.\d+)?$/;
const LONG_CELL = 60;

function tableHtml(t: TableSpec): string {
  if (t.rows.length === 0) return `<p class="empty">${escapeHtml(t.empty ?? 'No rows.')}</p>`;
  const code = new Set(t.codeColumns ?? []);
  const head = t.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const body = t.rows
    .map(
      (r) =>
        `<tr>${r
          .map((cell, i) => {
            const text = escapeHtml(cell);
            if (code.has(i)) return `<td><code>${text}</code></td>`;
            if (NUMBER.test(cell)) return `<td class="num">${text}</td>`;
            // Short cells stay on one line; a long one (a message, a URL) wraps.
            return cell.length > LONG_CELL ? `<td class="long">${text}</td>` : `<td>${text}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function sectionId(id: string, index: number): string {
  const clean = id.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return `s${index}-${clean}`.slice(0, 60);
}

function sectionHtml(section: PageSection, index: number, charts: ChartLayout[]): string {
  const parts = [`<section id="${sectionId(section.id, index)}">`, `<h2>${escapeHtml(section.heading)}</h2>`];
  for (const note of section.notes) parts.push(`<p>${escapeHtml(note)}</p>`);
  for (const spec of section.charts) {
    const n = charts.length;
    const item = layout(spec);
    charts.push(item);
    parts.push(
      `<figure class="chart"><div class="chart-box" style="height:${item.heightPx}px"><canvas data-chart="${n}" role="img" aria-label="${escapeHtml(spec.title)}"></canvas></div>` +
        `<figcaption>${escapeHtml(spec.title)}${spec.note ? ` (${escapeHtml(spec.note)})` : ''}</figcaption></figure>`,
    );
  }
  if (section.table) parts.push(tableHtml(section.table));
  for (const q of section.queries ?? [])
    parts.push(`<details><summary>Logs Insights query</summary><pre>${escapeHtml(q)}</pre></details>`);
  parts.push('</section>');
  return parts.join('\n');
}

export function renderPage(doc: PageDoc): string {
  const lib = chartLibrary();
  const charts: ChartLayout[] = [];
  const sections = doc.sections.map((s, i) => sectionHtml(s, i, charts)).join('\n');
  const nav = doc.sections.map((s, i) => `<a href="#${sectionId(s.id, i)}">${escapeHtml(s.heading)}</a>`).join('');
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(lib.source)} ${sha256(PAGE_SCRIPT)}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(doc.title)}</h1>
<ul class="facts">${doc.facts.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>
${doc.sections.length > 1 ? `<nav>${nav}</nav>` : ''}
</header>
<main>
${sections}
</main>
<footer>Made by alakai-otel. Charts drawn with Chart.js ${escapeHtml(lib.version)} (${escapeHtml(lib.license)} licence, https://www.chartjs.org), included in this file: the page needs no network.</footer>
<script type="application/json" id="page-data">${jsonForScript({ charts: charts.map(({ spec, horizontal }) => ({ spec, horizontal })) })}</script>
<script>${lib.source}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

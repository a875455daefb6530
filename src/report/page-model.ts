/**
 * What a page shows, before it is HTML: sections of notes, charts and one table. The query page
 * and the on-call report are both built as a PageDoc, and render-page.ts turns either into one
 * self-contained HTML file; page-script.ts draws the charts from the ChartSpecs in the browser.
 */

/** Values on the y axis are milliseconds (ticks shown as 250ms, 5s, 2m 30s, 1h) or plain counts. */
export type AxisUnit = 'ms' | 'count' | 'number';

export interface ChartSeries {
  name: string;
  /** One value per label; null where the series has none (a gap, not a zero). */
  values: (number | null)[];
}

export interface ChartSpec {
  /** bar: categories on x; time: bins of a time axis, in order; histogram: value ranges. */
  kind: 'bar' | 'time' | 'histogram';
  title: string;
  labels: string[];
  series: ChartSeries[];
  xTitle: string;
  yTitle: string;
  yUnit: AxisUnit;
  /** Series stacked on each other (counts over time, by status); otherwise side by side or lines. */
  stacked: boolean;
  /** Drawn as lines rather than bars (a percentile over time: lines do not add up). */
  lines: boolean;
  /** Said under the chart: what was left out to keep it readable. */
  note?: string;
}

export interface TableSpec {
  columns: string[];
  rows: string[][];
  /** Column indexes shown as code (commands to copy). */
  codeColumns?: number[];
  /** Shown when there are no rows. */
  empty?: string;
}

export interface PageSection {
  id: string;
  heading: string;
  /** Paragraphs of plain text. */
  notes: string[];
  charts: ChartSpec[];
  table?: TableSpec;
  /** Query texts behind the section, shown folded, for pasting into the console. */
  queries?: string[];
}

export interface PageDoc {
  title: string;
  /** Lines under the title: window, engine, inputs, when the page was made. */
  facts: string[];
  sections: PageSection[];
}

/**
 * What the demo prints after a run: each execution as the guide's runbook shows it (one row per
 * slice, read from the log files) followed by its waterfall (read from the spans file), then where
 * everything is and what to do next. Reads only the files the run wrote, as a user would.
 */
import { readFile } from 'node:fs/promises';
import { fromOtlpRequest } from '../contract/otlp-json.js';
import type { SpanRecord } from '../contract/span-record.js';
import { COMPONENTS, EVENT_MSG_PREFIX } from '../contract/summary-event.js';
import { renderWaterfall } from './waterfall.js';
import type { DemoLayout } from '../demo/layout.js';

/** The summary-event fields the report shows (everything else stays in the files). */
export interface SummaryRow {
  time: string;
  component: string;
  trace_id: string;
  event: string;
  outcome: string;
  final_status: string;
  duration_ms: number;
  steps: Record<string, string>;
  error: { type: string; message: string } | null;
}

async function lines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Summary events of all three log files, in file order (core, orchestrator, worker). */
export async function readSummaryRows(layout: DemoLayout): Promise<SummaryRow[]> {
  const rows: SummaryRow[] = [];
  for (const component of COMPONENTS) {
    for (const line of await lines(layout.logFiles[component])) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue; // not JSON: not a summary event
      }
      const row = value as Partial<SummaryRow> & { msg?: unknown };
      if (typeof row.msg === 'string' && row.msg.startsWith(EVENT_MSG_PREFIX) && typeof row.trace_id === 'string')
        rows.push(row as SummaryRow);
    }
  }
  return rows;
}

export async function readSpans(path: string): Promise<SpanRecord[]> {
  return (await lines(path)).flatMap((line) => fromOtlpRequest(line));
}

function uuidToTraceHex(uuid: string): string {
  return uuid.replaceAll('-', '').toLowerCase();
}

/** Groups by a key, keeping first-seen order of the keys and input order within each group. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function formatSteps(steps: Record<string, string> | undefined): string {
  return Object.entries(steps ?? {})
    .map(([name, status]) => `${name}=${status}`)
    .join(' ');
}

function formatRow(row: SummaryRow): string {
  const head = `  ${row.component.padEnd(12)} ${row.outcome.padEnd(7)} ${row.final_status.padEnd(17)} ${String(Math.round(row.duration_ms)).padStart(5)} ms  ${formatSteps(row.steps)}`;
  return row.error ? `${head}\n  ${''.padEnd(12)} error ${row.error.type}: ${row.error.message}` : head;
}

/** One block per execution: header, the runbook rows, the waterfall. */
export function renderExecutions(
  rows: readonly SummaryRow[],
  spans: readonly SpanRecord[],
  options: { width?: number; color?: boolean },
): string {
  const byTrace = groupBy(rows, (row) => row.trace_id);
  const spansByTrace = groupBy(spans, (span) => span.traceId);
  const blocks: string[] = [];
  let n = 0;
  for (const [traceId, traceRows] of byTrace) {
    n++;
    traceRows.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    const first = traceRows[0]!;
    const path = traceRows.map((r) => `${r.component}:${r.outcome}`).join(' → ');
    const traceSpans = spansByTrace.get(uuidToTraceHex(traceId)) ?? [];
    blocks.push(
      [
        `#${n} ${first.event}  trace_id ${traceId}  (${path})`,
        ...traceRows.map(formatRow),
        '',
        traceSpans.length > 0 ? renderWaterfall(traceSpans, options) : '  (no spans exported for this trace)',
      ].join('\n'),
    );
  }
  return blocks.join('\n\n');
}

export function renderNextSteps(
  layout: DemoLayout,
  info: { executions: number; spans: number; otlpEndpoint?: string; transports: string },
): string {
  const logs = `${layout.logsDir}/*.ndjson`;
  return [
    `Wrote ${info.executions} executions (${info.spans} spans) to ${layout.outDir}`,
    `  logs:      ${logs}   (each service's stdout, one summary event per slice)`,
    `  spans:     ${layout.spansFile}   (OTLP/JSON, one export request per line; per service in spans/)`,
    `  hand-over: ${info.transports}`,
    info.otlpEndpoint
      ? `  also exported over OTLP/HTTP to ${info.otlpEndpoint}`
      : '  set OTEL_EXPORTER_OTLP_ENDPOINT to also export the spans live (e.g. to Jaeger on :4318)',
    '',
    'Next:',
    `  rebuild the spans from the logs alone (equal to spans.otlp.jsonl, span for span):`,
    `    npx alakai-otel backfill --input ${logs} --output backfill.otlp.jsonl --report backfill-report.json`,
    '  view in Jaeger (OTLP/HTTP on :4318, UI on :16686): run the demo with',
    '    OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 npx alakai-otel demo',
    `  or send this run's logs there:  npx alakai-otel backfill --input ${logs} --otlp-endpoint http://localhost:4318/v1/traces`,
    '  then open http://localhost:16686/trace/<trace_id without dashes>',
  ].join('\n');
}

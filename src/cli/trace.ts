/**
 * `alakai-otel trace TRACE_ID`: the guide's runbook steps 1–3 in one command. Finds the execution
 * in files or across the three CloudWatch log groups, prints one row per slice (the step-2 query's
 * columns), the step-level lines (step 3) and a waterfall; `--json` for machines, `--export` to
 * send the rebuilt trace over OTLP/HTTP.
 */
import type { ParsedSummary, StepLine } from '../contract/parsed-line.js';
import type { SpanRecord } from '../contract/span-record.js';
import type { SummaryEvent } from '../contract/summary-event.js';
import { MAX_TRACE_ID_LENGTH, toAlakaiTraceId, toOtelTraceId } from '../contract/trace-id.js';
import type { BuiltTrace } from '../backfill/assembly/build-trace.js';
import { stepLineFields } from '../backfill/assembly/step-line-fields.js';
import type { OpenTrace } from '../backfill/assembly/trace-assembler.js';
import { newCounters } from '../backfill/report.js';
import { runBackfill } from '../backfill/run-backfill.js';
import { NullSink } from '../backfill/sinks/span-sink.js';
import { cloudWatchSource, fileSources, insightsSource, type NamedSource } from '../backfill/sources/open-sources.js';
import { flag, flagAll, hasFlag, parseArgs, UsageError, type FlagSpec } from './args.js';
import { chooseDestinations, DESTINATION_FLAGS, destinationNames, destinationsOpener } from './destinations.js';
import { cloudWatchChoice, INPUT_FLAGS, partialInputNotice, timeRange } from './inputs.js';
import { reportFailure } from './report-failure.js';
import { renderWaterfall } from './waterfall.js';

const FLAGS: Record<string, FlagSpec> = {
  ...INPUT_FLAGS,
  json: {},
  insights: {},
  export: {},
  ...DESTINATION_FLAGS,
  width: { value: true },
  color: {},
  help: {},
};

export const TRACE_HELP = `usage: alakai-otel trace TRACE_ID [--input FILE… | --since 24h] [--json] [--export]

Shows one execution across core, orchestrator and worker: one row per slice, the step-level lines,
and a waterfall. TRACE_ID is the lines' trace_id: a UUID (or its 32 hex digits), or any other id
the services log (printable ASCII, up to 256 characters), as the SDK and the backfill accept it.

  --input FILE…        log files (NDJSON, or \`aws logs filter-log-events\` / \`get-query-results\` JSON); - = stdin
  --since DURATION     search CloudWatch Logs from DURATION ago (default 24h), or --start T --end T
  --log-group NAME…    log groups (default: the guide's three)
  --insights           search with Logs Insights (the runbook's query) instead of FilterLogEvents
  --region/--profile/--endpoint   AWS settings (default: the standard AWS configuration)
  --json               print one JSON object instead of text
  --export             also send the trace's spans over OTLP/HTTP (--otlp-endpoint URL…, or OTEL_EXPORTER_OTLP_ENDPOINT)
                       and/or to --output FILE; --sigv4 xray and --xray as for backfill
  --width N --color    waterfall width and ANSI colours (default: terminal width, colour on a TTY)
Exit: 0 found, 1 not found or failed, 2 usage error.`;

const TRACE_ID_REFUSED: Record<'empty' | 'too_long' | 'not_printable_ascii', string> = {
  empty: 'is empty',
  too_long: `is longer than ${MAX_TRACE_ID_LENGTH} characters`,
  not_printable_ascii: 'must be printable ASCII',
};

function printableHead(text: string): string {
  return text.slice(0, 60).replace(/[^\x20-\x7e]/g, '?');
}

export interface SliceRow {
  time: string;
  component: string;
  event: string;
  outcome: string;
  final_status: string;
  duration_ms: number;
  failed_step: string | null;
  error_type: string | null;
  error_message: string | null;
  repo: string | null;
  task: string | null;
  pr_url: string | null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : null;
}

export function sliceRow(e: SummaryEvent): SliceRow {
  const failed = Object.keys(e.steps).find((k) => e.steps[k] === 'error');
  return {
    time: e.time,
    component: e.component,
    event: e.event,
    outcome: e.outcome,
    final_status: e.final_status,
    duration_ms: e.duration_ms,
    failed_step: failed ?? null,
    error_type: e.error?.type ?? null,
    error_message: e.error?.message ?? null,
    repo: str(e.repo?.full_name),
    task: str(e.task?.task_id),
    pr_url: str(e.pull_request?.url),
  };
}

/**
 * One row per slice, duplicates once, in the order the slices STARTED (time − duration_ms). The
 * runbook sorts by @timestamp, the time each line was written, i.e. when a slice ended; but an
 * orchestrator slice that launches the worker ends after it, and "read top to bottom to follow the
 * execution" needs core → orchestrator → worker.
 */
export function sliceRows(events: readonly SummaryEvent[]): SliceRow[] {
  const seen = new Set<string>();
  const slices: { start: number; event: SummaryEvent }[] = [];
  for (const e of events) {
    const key = JSON.stringify(e);
    if (seen.has(key)) continue;
    seen.add(key);
    slices.push({ start: Date.parse(e.time) - e.duration_ms, event: e });
  }
  slices.sort(
    (a, b) =>
      a.start - b.start ||
      (a.event.time < b.event.time ? -1 : a.event.time > b.event.time ? 1 : 0) ||
      (a.event.component < b.event.component ? -1 : a.event.component > b.event.component ? 1 : 0),
  );
  return slices.map((s) => sliceRow(s.event));
}

function formatMs(ms: number): string {
  return ms < 1000
    ? `${Math.round(ms)}ms`
    : ms < 60_000
      ? `${(ms / 1000).toFixed(1)}s`
      : `${(ms / 60_000).toFixed(1)}m`;
}

/** Control characters from log text never reach the terminal. */
export function clean(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
  const out = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatTraceText(
  alakaiId: string,
  rows: SliceRow[],
  logs: StepLine[],
  spans: SpanRecord[],
  options: { width: number; color: boolean },
): string {
  const out: string[] = [
    `trace ${alakaiId}  (${rows.length} slice${rows.length === 1 ? '' : 's'}, ${logs.length} step-level line${logs.length === 1 ? '' : 's'})`,
    '',
  ];
  out.push(
    table(
      [
        'time',
        'component',
        'event',
        'outcome',
        'final_status',
        'duration',
        'failed step',
        'error',
        'repo',
        'task',
        'PR',
      ],
      rows.map((r) =>
        [
          r.time,
          r.component,
          r.event,
          r.outcome,
          r.final_status,
          formatMs(r.duration_ms),
          r.failed_step ?? '-',
          r.error_type ? clean(`${r.error_type}: ${r.error_message ?? ''}`, 60) : '-',
          clean(r.repo ?? '-', 40),
          clean(r.task ?? '-', 24),
          clean(r.pr_url ?? '-', 60),
        ].map((c) => clean(c, 80)),
      ),
    ),
  );
  if (logs.length > 0) {
    out.push('', 'step-level lines:');
    for (const l of logs)
      out.push(
        `  ${l.time}  ${(l.component ?? '-').padEnd(12)} ${String(l.level ?? '-').padEnd(3)} ${clean(l.msg, 160)}`,
      );
  }
  out.push('', renderWaterfall(spans, options));
  return out.join('\n');
}

/**
 * The spans in the order they were recorded: each slice, then its descendants in the order its
 * line's bridge extension lists them (the order they ended). Spans from legacy lines, or whose
 * extension does not decode, keep their place after those. The waterfall breaks ties of start
 * time by this order (waterfall.ts says why nothing better exists).
 */
export function inRecordedOrder(spans: readonly SpanRecord[], lines: readonly ParsedSummary[]): SpanRecord[] {
  const ordinal = new Map<string, number>();
  for (const { event, extension } of lines) {
    // The parsed value carries the decoded extension: no second decode here.
    if (!extension || typeof event.span_id !== 'string' || ordinal.has(event.span_id)) continue;
    ordinal.set(event.span_id, ordinal.size);
    for (const d of extension.descendants) if (!ordinal.has(d.spanId)) ordinal.set(d.spanId, ordinal.size);
  }
  const rank = (s: SpanRecord): number => ordinal.get(s.spanId) ?? Number.MAX_SAFE_INTEGER;
  return spans
    .map((span, index) => ({ span, index }))
    .sort((a, b) => rank(a.span) - rank(b.span) || a.index - b.index)
    .map((x) => x.span);
}

function sortLogs(logs: readonly StepLine[]): StepLine[] {
  const seen = new Set<string>();
  const unique = logs.filter((l) => {
    const key = `${l.time}|${l.component}|${l.msg}|${JSON.stringify(stepLineFields(l))}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return unique.sort((a, b) => a.timeMs - b.timeMs);
}

export async function traceCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (hasFlag(args, 'help')) {
    process.stdout.write(TRACE_HELP + '\n');
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError('needs exactly one TRACE_ID (the trace_id of the lines)');
  const given = args.positionals[0]!.trim();
  // The one trace-id policy (contract/trace-id.ts): whatever the SDK and the backfill accept as a
  // trace_id is found here too; a UUID in any case or its 32 hex digits name the same execution.
  const mapped = toOtelTraceId(given);
  if (!mapped.ok) throw new UsageError(`TRACE_ID ${TRACE_ID_REFUSED[mapped.reason]} (got "${printableHead(given)}")`);
  const alakaiId = mapped.exact ? toAlakaiTraceId(mapped.traceId) : given;
  const inputs = flagAll(args, 'input');
  let range = timeRange(args, Date.now());
  if (inputs.length > 0 && range) throw new UsageError('give --input or a CloudWatch time range, not both');
  if (inputs.length === 0 && !range) range = { startMs: Date.now() - 24 * 3_600_000, endMs: Date.now() };
  const choice = hasFlag(args, 'export') ? chooseDestinations(args, true) : undefined;
  if (!choice && (flagAll(args, 'otlp-endpoint').length > 0 || flag(args, 'output') || flag(args, 'sigv4')))
    throw new UsageError('--otlp-endpoint, --output and --sigv4 go with --export');
  const names = choice ? destinationNames(choice) : [];
  const counters = newCounters();
  let sources: NamedSource[];
  if (range) {
    const choice = cloudWatchChoice(args, range);
    sources = [
      hasFlag(args, 'insights')
        ? insightsSource(choice, alakaiId, counters)
        : // The id as a quoted term: the server returns (about) only this execution's lines. An id
          // with a quote or backslash cannot be quoted safely: then every line is fetched and
          // matched here (slower, never wrong).
          cloudWatchSource(
            {
              ...choice,
              ...(/["\\]/.test(alakaiId) ? {} : { filterPattern: `"${alakaiId}"` }),
              windowMs: range.endMs - range.startMs,
            },
            counters,
          ),
    ];
  } else {
    if (hasFlag(args, 'insights')) throw new UsageError('--insights searches CloudWatch Logs, not --input files');
    sources = fileSources(inputs, { onPartial: partialInputNotice('trace', counters) });
  }

  let found: { built: BuiltTrace; trace: OpenTrace } | undefined;
  try {
    await runBackfill({
      sources,
      openSink: choice
        ? destinationsOpener(choice, { dryRun: false, counters })
        : () => Promise.resolve(new NullSink()),
      outputName: names.length > 0 ? names.join(', ') : null,
      fingerprint: '',
      counters,
      // One execution: keep it open until the end, however long it ran.
      traceWindowMs: Number.POSITIVE_INFINITY,
      onlyTraceId: mapped.traceId,
      onTrace: (built, trace) => {
        found = { built, trace };
      },
    });
  } catch (err) {
    return reportFailure('trace', err);
  }
  if (!found) {
    const where = range
      ? `CloudWatch Logs (${sources[0]!.id.slice(sources[0]!.id.indexOf(':') + 1)}) between ${new Date(range.startMs).toISOString()} and ${new Date(range.endMs).toISOString()}`
      : inputs.join(', ');
    process.stderr.write(`alakai-otel trace: no lines with trace_id ${alakaiId} in ${where}\n`);
    return 1;
  }
  const { built, trace } = found;
  const rows = sliceRows(trace.events.map((e) => e.event));
  const logs = sortLogs(trace.logs.map((l) => l.log));
  if (hasFlag(args, 'json')) {
    const json = {
      traceId: alakaiId,
      otelTraceId: mapped.traceId,
      slices: rows,
      stepLogs: logs.map((l) => ({
        time: l.time,
        component: l.component ?? null,
        level: l.level ?? null,
        msg: l.msg,
        fields: stepLineFields(l),
      })),
      spans: built.spans.map((s) => ({
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? null,
        name: s.name,
        start: s.startTimeUnixNano.toString(),
        end: s.endTimeUnixNano.toString(),
        status: s.status,
      })),
      exported: choice ? built.spans.length : 0,
    };
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else {
    const widthFlag = flag(args, 'width');
    const width = widthFlag ? Number(widthFlag) : (process.stdout.columns ?? 120);
    if (!Number.isInteger(width) || width < 60 || width > 1000)
      throw new UsageError('--width must be a whole number from 60 to 1000');
    const color = hasFlag(args, 'color') || (process.stdout.isTTY === true && !process.env['NO_COLOR']);
    process.stdout.write(
      formatTraceText(alakaiId, rows, logs, inRecordedOrder(built.spans, trace.events), { width, color }) + '\n',
    );
    if (choice) process.stdout.write(`\nexported ${built.spans.length} spans to ${names.join(', ')}\n`);
  }
  return 0;
}

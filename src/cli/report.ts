/**
 * `alakai-otel report [--since 24h] [--html FILE]`: the page an on-call engineer opens first
 * (src/report/on-call-report.ts says what is in it). Without --html the same sections print as
 * aligned tables. The queries go through the QueryEngine seam: over --input files the local engine,
 * else Logs Insights over the log groups.
 */
import { flag, flagAll, hasFlag, parseArgs, UsageError, type FlagSpec } from './args.js';
import { checkHtmlOutput, inputsText, writeHtmlPage } from './html-output.js';
import { INPUT_FLAGS, timeRange } from './inputs.js';
import { queryEngineFor } from './query-engine-choice.js';
import { reportFailure } from './report-failure.js';
import { clean, table } from './trace.js';
import { QueryError } from '../query/query-error.js';
import type { QueryEngine, TimeWindow } from '../query/query-engine.js';
import type { PageSection } from '../report/page-model.js';
import { reportPageDoc, reportSections, runReportQueries, type ReportAnswers } from '../report/on-call-report.js';
import { windowText } from '../report/window-text.js';

const FLAGS: Record<string, FlagSpec> = { ...INPUT_FLAGS, html: { value: true }, help: {} };

const DEFAULT_WINDOW_MS = 24 * 3_600_000;

export const REPORT_HELP = `usage: alakai-otel report [--since 24h | --start T [--end T]] [--html FILE] [--input FILE… | --log-group NAME…]

The page an on-call engineer opens first, over one window (default: the last 24h):
errors by event, component and final_status; the slowest executions, each with the
\`alakai-otel trace\` command that shows it; orchestrator slot contention; p90 / p99 per event and
component against the period of the same length just before. Prints aligned tables, or with
--html writes one self-contained page with charts (it needs no network).

  --input FILE…        log files (NDJSON, aws CLI JSON, s3://…), as for query; read once per query
                       (without --input: Logs Insights over the guide's three log groups, or
                       --log-group NAME…, with --region/--profile/--endpoint as for query)
  --since D | --start T [--end T]   the window (events by @timestamp); default --since 24h
  --html FILE          write the page to FILE instead of printing tables
Exit: 0 done, 1 failed, 2 usage error.`;

/** The report's engine: as for `query` (local over --input, else Logs Insights), over both periods. */
function reportEngine(args: ReturnType<typeof parseArgs>, inputs: string[], window: TimeWindow): QueryEngine {
  if (inputs.includes('-'))
    throw new UsageError('reads its inputs once per query, so --input - (stdin) cannot be used: save it to a file');
  const span = window.endMs - window.startMs;
  return queryEngineFor('report', args, { startMs: window.startMs - span, endMs: window.endMs });
}

function sectionText(section: PageSection): string {
  const lines = [section.heading, '='.repeat(section.heading.length), ...section.notes];
  const t = section.table;
  if (t && t.rows.length > 0) {
    lines.push(
      '',
      table(
        t.columns.map((c) => clean(c, 60)),
        t.rows.map((r) => r.map((cell, i) => clean(cell || '-', t.codeColumns?.includes(i) ? 400 : 80))),
      ),
    );
  }
  return lines.join('\n');
}

export function formatReportText(answers: ReportAnswers, sections: PageSection[]): string {
  return [
    `alakai-otel report: ${windowText(answers.window)} (before: ${windowText(answers.previous)})`,
    '',
    sections.map(sectionText).join('\n\n'),
  ].join('\n');
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function reportCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (hasFlag(args, 'help')) {
    process.stdout.write(REPORT_HELP + '\n');
    return 0;
  }
  if (args.positionals.length > 0)
    throw new UsageError(`takes no arguments (got "${args.positionals[0]!.slice(0, 40)}")`);
  const now = Date.now();
  const window: TimeWindow = timeRange(args, now) ?? { startMs: now - DEFAULT_WINDOW_MS, endMs: now };
  const inputs = flagAll(args, 'input');
  const engine = reportEngine(args, inputs, window);
  const html = flag(args, 'html');
  await checkHtmlOutput(html, inputs);
  let answers: ReportAnswers;
  try {
    answers = await runReportQueries(engine, window);
  } catch (err) {
    if (err instanceof QueryError) {
      process.stderr.write(`alakai-otel report: ${err.message}\n`);
      return 2;
    }
    return reportFailure('report', err);
  }
  // The trace commands find the execution where the report found it: the same files, or the window.
  const traceArgs =
    inputs.length > 0
      ? ['--input', ...inputs]
      : ['--start', isoSeconds(window.startMs), '--end', isoSeconds(window.endMs)];
  const sections = reportSections(answers, { traceArgs });
  if (html !== undefined) {
    const source = inputs.length > 0 ? inputsText(inputs) : 'CloudWatch Logs';
    const facts = { engine: engine.name, source, generatedAt: new Date() };
    return writeHtmlPage('report', html, reportPageDoc(answers, sections, facts));
  }
  process.stdout.write(formatReportText(answers, sections) + '\n');
  return 0;
}

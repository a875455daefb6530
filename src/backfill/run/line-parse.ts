/**
 * The one rule for turning a read line into something to assemble, shared by the backfill's
 * LineIntake and `follow`'s assembler: parsed once by the contract's parseLogLine (same size
 * limit), counted by kind — rejected by reason, ignored, summary event, step line — and either
 * handed on (a summary event or a step line, with the trace id and time it is grouped by) or not.
 */
import { parseLogLine, type ParsedStepLine, type ParsedSummary } from '../../contract/parse.js';
import { countInto } from '../report.js';

/** Where the counts go (BackfillCounters has these fields; follow keeps its own). */
export interface LineTally {
  rejected: Record<string, number>;
  ignoredLines: number;
  summaryEvents: number;
  stepLogs: number;
}

export type LineParseOptions = { maxBytes: number } | undefined;

export function lineParseOptions(maxLineBytes: number | undefined): LineParseOptions {
  return maxLineBytes === undefined ? undefined : { maxBytes: maxLineBytes };
}

/**
 * `text` (undefined when the source could not read the line: `readError` says why) → the value to
 * assemble, or undefined. Counted into `tally` unless it is undefined (a replayed line).
 */
export function parseCountedLine(
  text: string | undefined,
  readError: string | undefined,
  options: LineParseOptions,
  tally: LineTally | undefined,
): ParsedSummary | ParsedStepLine | undefined {
  if (text === undefined) {
    if (tally) countInto(tally.rejected, readError ?? 'unreadable');
    return undefined;
  }
  const parsed = parseLogLine(text, options);
  if (parsed.kind === 'rejected') {
    if (tally) countInto(tally.rejected, parsed.reason);
    return undefined;
  }
  if (parsed.kind === 'ignored') {
    if (tally) tally.ignoredLines++;
    return undefined;
  }
  if (tally) {
    if (parsed.kind === 'summary') tally.summaryEvents++;
    else tally.stepLogs++;
  }
  return parsed;
}

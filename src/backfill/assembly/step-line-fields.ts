/**
 * A step line's other fields, read from the parsed line it keeps (StepLine.line) when a span event
 * is built or the `trace` command prints the line — not copied per line read: step lines are half
 * of what the backfill reads, and most of them are only held until their trace is built (issue 6).
 */
import { STEP_LINE_OWN_FIELDS, type StepLine } from '../../contract/parsed-line.js';

/** Names of the line's other fields (trace_id, time, level, msg, component, context left out), in line order. */
export function stepLineFieldNames(log: StepLine): string[] {
  const names: string[] = [];
  for (const key of Object.keys(log.line)) if (!STEP_LINE_OWN_FIELDS.has(key)) names.push(key);
  return names;
}

/** The value of one of stepLineFieldNames(log). */
export function stepLineField(log: StepLine, name: string): unknown {
  return STEP_LINE_OWN_FIELDS.has(name) || !Object.hasOwn(log.line, name) ? undefined : log.line[name];
}

/** Every other field of the line, as a new object. */
export function stepLineFields(log: StepLine): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of stepLineFieldNames(log)) fields[key] = log.line[key];
  return fields;
}

/** `time` in epoch nanoseconds. */
export function stepLineTimeNs(log: StepLine): bigint {
  return BigInt(log.timeMs) * 1_000_000n;
}

/**
 * The one order of a span's events when several sources add to it (a legacy slice's exception
 * event and the step lines the backfill attaches): by time, then name, then attributes, so the
 * same lines in any input order give the same bytes.
 */
import type { SpanEventRecord } from './span-record.js';

export function compareSpanEvents(a: SpanEventRecord, b: SpanEventRecord): number {
  if (a.timeUnixNano !== b.timeUnixNano) return a.timeUnixNano < b.timeUnixNano ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const x = JSON.stringify(a.attributes);
  const y = JSON.stringify(b.attributes);
  return x < y ? -1 : x > y ? 1 : 0;
}

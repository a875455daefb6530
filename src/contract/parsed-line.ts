/**
 * What parseLogLine makes of one raw line: one value that carries everything the rest of the path
 * needs, computed once while the line was read and checked — the event, its decoded bridge
 * extension, the OTel trace id and the time. The backfill's assembler stores these values as they
 * are and the mapping to spans (event-to-spans.ts) consumes them, so nothing is looked up again
 * on the side. Types only: validation builds the summary value, the mapping reads it, and neither
 * imports the other.
 */
import type { OtelExtension } from './otel-extension.js';
import type { RejectReason } from './reject-reasons.js';
import type { SummaryEvent } from './summary-event.js';

/** A summary event line, validated and normalized (docs/summary-event-format.md, "Validation"). */
export interface ParsedSummary {
  readonly kind: 'summary';
  /** In the guide's key order; the value owns it (a fresh object, not the parsed line). */
  readonly event: SummaryEvent;
  /** The decoded `otel` extension when the event is bridged (span_id + otel), else undefined. */
  readonly extension: OtelExtension | undefined;
  /** OTel trace id (32 hex) of event.trace_id. */
  readonly traceId: string;
  /** event.time in epoch milliseconds (an integer). */
  readonly timeMs: number;
}

/** A step-level line: JSON with a trace_id that is not a summary event. */
export interface StepLine {
  /** The trace id as logged. */
  readonly trace_id: string;
  /** ISO 8601, ms, UTC. */
  readonly time: string;
  /** `time` in epoch milliseconds (an integer). */
  readonly timeMs: number;
  readonly component: string | undefined;
  readonly level: number | undefined;
  readonly msg: string;
  /**
   * The parsed line itself, checked for hostile keys, for its other fields (every key but
   * STEP_LINE_OWN_FIELDS). Step lines are half of what the backfill reads and holds: keeping the
   * line instead of a copy of its fields saves a copy per line (issue 6).
   */
  readonly line: Readonly<Record<string, unknown>>;
}

export interface ParsedStepLine {
  readonly kind: 'log';
  readonly log: StepLine;
  /** OTel trace id (32 hex) of log.trace_id. */
  readonly traceId: string;
  /** log.timeMs. */
  readonly timeMs: number;
}

export type ParsedLine =
  | ParsedSummary
  | ParsedStepLine
  | { readonly kind: 'ignored' }
  | { readonly kind: 'rejected'; readonly reason: RejectReason; readonly detail?: string };

/** Keys of a step line that parseLogLine reads into StepLine; the line's other keys are its fields. */
export const STEP_LINE_OWN_FIELDS: ReadonlySet<string> = new Set([
  'trace_id',
  'time',
  'level',
  'msg',
  'component',
  'context',
]);

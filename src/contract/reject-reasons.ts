/**
 * Why a line or event was refused. Stable names: the backfill report counts lines by reason, so
 * renaming one is a breaking change (docs/summary-event-format.md, "Validation").
 */

/** Fields whose type is checked one by one (`bad_type:<field>`, `missing_field:<field>`, `too_long:<field>`). */
export type CheckedField =
  | 'service'
  | 'component'
  | 'event'
  | 'final_status'
  | 'context'
  | 'steps'
  | 'error'
  | 'msg'
  | 'span_id'
  | 'parent_span_id'
  | 'otel'
  // The guide's domain objects and the members its queries read.
  | 'repo'
  | 'task'
  | 'agent'
  | 'pull_request'
  | 'slack';

export type RejectReason =
  /** Not parseable as JSON. */
  | 'not_json'
  /** Longer than the line limit (default 1 MiB + 64 KiB). */
  | 'too_large'
  /** JSON nested deeper than 64 levels. */
  | 'too_deep'
  /** JSON, but not an object (array, string, number, …). */
  | 'not_object'
  /** `__proto__`, `constructor` or `prototype` as a key anywhere. */
  | 'hostile_key'
  /** A domain string value longer than 64 KiB. */
  | 'value_too_long'
  | 'missing_trace_id'
  /** trace_id not a string, empty, > 256 chars or not printable ASCII. */
  | 'invalid_trace_id'
  /** time missing, or neither an ISO 8601 string nor epoch milliseconds (1970…275760). */
  | 'bad_time'
  /** outcome not success | error | skipped. */
  | 'bad_outcome'
  /** duration_ms missing, not a number, not finite, negative, or longer than the time since 1970. */
  | 'bad_duration'
  /** level neither 30 nor "info" on a summary event; not a number/label on a step log line. */
  | 'bad_level'
  /** context.trace_id / context.component contradict the top-level fields. */
  | 'context_mismatch'
  /** msg is not `[event] <event> -> <outcome>` for the event's own event and outcome. */
  | 'msg_mismatch'
  /** span_id / parent_span_id / otel malformed, or only some of them present. */
  | 'bad_extension'
  /** Validation itself failed (a value a getter or Proxy makes unreadable, or a bug): also said to diag. */
  | 'internal_error'
  | `bad_type:${CheckedField}`
  | `missing_field:${CheckedField}`
  | `too_long:${CheckedField}`;

export type Rejection = { ok: false; reason: RejectReason; detail?: string };

export function reject(reason: RejectReason, detail?: string): Rejection {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

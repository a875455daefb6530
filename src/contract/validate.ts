/**
 * validateSummaryEvent: an untrusted value → a SummaryEvent in the guide's key order, or a named
 * rejection. Never throws. What is normalized and what is refused is listed in
 * docs/summary-event-format.md ("Validation"); in short, only repairs that cannot change meaning
 * are made (a missing `context` rebuilt, epoch-ms `time` → ISO, a missing `error` → null).
 */
import { diag } from '@opentelemetry/api';
import { guideDomainDefect } from './guide-domain.js';
import { findJsonDefect, isPlainObject } from './json-safety.js';
import { MAX_DOMAIN_STRING, MAX_NAME_LENGTH, MAX_STEPS } from './limits.js';
import { normalizeTime } from './event-time.js';
import { decodeOtelExtension, type OtelExtension } from './otel-extension.js';
import type { ParsedSummary } from './parsed-line.js';
import { reject, type CheckedField, type Rejection } from './reject-reasons.js';
import { sanitizeText } from './sanitize.js';
import {
  eventMsg,
  isOutcome,
  RESERVED_FIELDS,
  STEP_STATUSES,
  SUMMARY_LEVEL,
  type StepStatus,
  type SummaryError,
  type SummaryEvent,
} from './summary-event.js';
import { toOtelTraceId } from './trace-id.js';

export { MAX_DOMAIN_STRING, MAX_NAME_LENGTH, MAX_STEPS } from './limits.js';

import { SPAN_ID_RE, ZERO_SPAN_ID } from './span-id.js';

export type ValidationResult = { ok: true; event: SummaryEvent } | Rejection;

function nameField(raw: Record<string, unknown>, field: CheckedField, fallback?: unknown): string | Rejection {
  const v = raw[field] ?? fallback;
  if (v === undefined) return reject(`missing_field:${field}`);
  if (typeof v !== 'string' || v.length === 0) return reject(`bad_type:${field}`);
  if (v.length > MAX_NAME_LENGTH) return reject(`too_long:${field}`);
  return v;
}

function isRejection(v: unknown): v is Rejection {
  return typeof v === 'object' && v !== null && (v as Rejection).ok === false;
}

function steps(value: unknown): Record<string, StepStatus> | Rejection {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) return reject('bad_type:steps');
  const keys = Object.keys(value);
  if (keys.length > MAX_STEPS) return reject('too_long:steps');
  for (const k of keys) {
    if (k.length > MAX_NAME_LENGTH) return reject('too_long:steps', k.slice(0, 64));
    if (!(STEP_STATUSES as readonly unknown[]).includes(value[k])) return reject('bad_type:steps', k.slice(0, 64));
  }
  return value as Record<string, StepStatus>;
}

function summaryError(value: unknown): SummaryError | null | Rejection {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) return reject('bad_type:error');
  const type = value['type'] ?? 'Error';
  const message = value['message'] ?? '';
  if (typeof type !== 'string' || typeof message !== 'string') return reject('bad_type:error');
  if (type.length > MAX_NAME_LENGTH) return reject('too_long:error');
  // Other keys (a stack, a code) are dropped: the guide's error is {type, message}.
  return { type, message: sanitizeText(message) };
}

/**
 * Internal entry: `checkedJson` is true when parseLogLine has already walked the value for hostile
 * keys and depth, so the walk runs once per line. A valid event comes back as the value the rest
 * of the path consumes: with the mapped trace id, the time in ms and the decoded extension, each
 * computed here once.
 */
export function validateEventRecord(raw: unknown, checkedJson: boolean): ParsedSummary | Rejection {
  if (!isPlainObject(raw)) return reject('not_object');
  if (!checkedJson) {
    const defect = findJsonDefect(raw, Infinity);
    if (defect) return reject(defect.defect === 'value_too_long' ? 'value_too_long' : defect.defect, defect.path);
  }
  const context = raw['context'];
  if (context !== undefined && !isPlainObject(context)) return reject('bad_type:context');
  if (context) {
    // Extra context keys become attributes like domain fields: same limits.
    const defect = findJsonDefect(context, MAX_DOMAIN_STRING, 'context');
    if (defect) return reject(defect.defect, defect.path);
  }

  const traceIdValue = raw['trace_id'] ?? context?.['trace_id'];
  if (traceIdValue === undefined || traceIdValue === null) return reject('missing_trace_id');
  if (typeof traceIdValue !== 'string') return reject('invalid_trace_id', 'not a string');
  const mapped = toOtelTraceId(traceIdValue);
  if (!mapped.ok) return reject('invalid_trace_id', mapped.reason);

  const time = normalizeTime(raw['time']);
  if (!time) return reject('bad_time');
  const level = raw['level'];
  if (level !== undefined && level !== SUMMARY_LEVEL && level !== 'info') return reject('bad_level');

  const service = nameField(raw, 'service');
  const component = nameField(raw, 'component', context?.['component']);
  const event = nameField(raw, 'event');
  const finalStatus = nameField(raw, 'final_status');
  for (const v of [service, component, event, finalStatus]) if (isRejection(v)) return v;
  const outcome = raw['outcome'];
  if (!isOutcome(outcome)) return reject('bad_outcome');

  let duration = raw['duration_ms'];
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0 || duration > time.ms) {
    return reject('bad_duration');
  }
  // Nanosecond precision is all a span can hold; finer digits would not survive the round trip.
  duration = Math.round(duration * 1e6) / 1e6;

  if (context) {
    if (context['trace_id'] !== undefined && context['trace_id'] !== traceIdValue)
      return reject('context_mismatch', 'trace_id');
    if (context['component'] !== undefined && context['component'] !== component)
      return reject('context_mismatch', 'component');
  }
  const stepMap = steps(raw['steps']);
  if (isRejection(stepMap)) return stepMap;
  const error = summaryError(raw['error']);
  if (isRejection(error)) return error;

  const domainDefect = guideDomainDefect(raw);
  if (domainDefect) return reject(`bad_type:${domainDefect.field}`, domainDefect.member);

  const msgValue = raw['msg'];
  const msg = eventMsg(event as string, outcome);
  if (msgValue !== undefined && msgValue !== msg)
    return reject(typeof msgValue === 'string' ? 'msg_mismatch' : 'bad_type:msg');

  // Domain fields (and logger bindings such as pid/hostname) are kept as they are, after the limits.
  // Their names are collected on the way for the copy below: one pass over the line's keys, not two.
  const domainKeys: string[] = [];
  for (const key of Object.keys(raw)) {
    if (RESERVED_FIELDS.has(key)) continue;
    const defect = findJsonDefect(raw[key], MAX_DOMAIN_STRING, key);
    if (defect) return reject(defect.defect, defect.path);
    domainKeys.push(key);
  }

  // The guide's key order; domain fields between `error` and `msg`; the bridge extension last.
  const out = {
    time: time.iso,
    level: SUMMARY_LEVEL,
    service,
    component,
    trace_id: traceIdValue,
    event,
    outcome: outcome,
    final_status: finalStatus,
    duration_ms: duration,
    context: context ? { ...context, trace_id: traceIdValue, component } : { trace_id: traceIdValue, component },
    steps: stepMap,
    error,
  } as SummaryEvent;
  for (const key of domainKeys) out[key] = raw[key];
  out.msg = msg;

  const extension = bridgeFields(raw, out);
  if (isRejection(extension)) return extension;
  return { kind: 'summary', event: out, extension, traceId: mapped.traceId, timeMs: time.ms };
}

/** Checks and copies span_id / parent_span_id / otel into `out`; the decoded `otel`, or undefined for a legacy event. */
function bridgeFields(raw: Record<string, unknown>, out: SummaryEvent): OtelExtension | Rejection | undefined {
  const spanId = raw['span_id'];
  const parentSpanId = raw['parent_span_id'];
  const otel = raw['otel'];
  if (spanId === undefined && otel === undefined) {
    return parentSpanId === undefined ? undefined : reject('bad_extension', 'parent_span_id without span_id');
  }
  if (typeof spanId !== 'string' || !SPAN_ID_RE.test(spanId) || spanId === ZERO_SPAN_ID)
    return reject('bad_extension', 'span_id');
  if (
    parentSpanId !== undefined &&
    (typeof parentSpanId !== 'string' || !SPAN_ID_RE.test(parentSpanId) || parentSpanId === ZERO_SPAN_ID)
  ) {
    return reject('bad_extension', 'parent_span_id');
  }
  if (typeof otel !== 'string') return reject('bad_extension', 'otel missing');
  const decoded = decodeOtelExtension(otel);
  if (!decoded.ok) return reject('bad_extension', decoded.detail);
  out.span_id = spanId;
  if (parentSpanId !== undefined) out.parent_span_id = parentSpanId;
  out.otel = otel;
  return decoded.extension;
}

export function validateSummaryEvent(value: unknown): ValidationResult {
  try {
    const result = validateEventRecord(value, false);
    return 'kind' in result ? { ok: true, event: result.event } : result;
  } catch (error) {
    // A value that is not plain JSON (a throwing getter, a Proxy), or a bug in the validator: not
    // the caller's bad line, so it is said to diag and counted under its own reason.
    diag.error('alakai-otel: validateSummaryEvent failed', error);
    return reject('internal_error', 'validation failed');
  }
}

/**
 * One raw log line → what it is (parsed-line.ts): a summary event, a step-level log line of an
 * execution, a line that is none of our business, or a rejected line with a stable reason. Never
 * throws. The backfill calls this on millions of lines: one JSON.parse per line, no regex compiled
 * per call, and the hostile-key walk only when the text could hold such a key.
 */
import { ALAKAI_COMPONENT } from './attribute-keys.js';
import { normalizeTime } from './event-time.js';
import { findJsonDefect, isPlainObject, mayHoldHostileKey } from './json-safety.js';
import type { ParsedLine, StepLine } from './parsed-line.js';
import type { RejectReason } from './reject-reasons.js';
import { EVENT_MSG_PREFIX } from './summary-event.js';
import { toOtelTraceId } from './trace-id.js';
import { validateEventRecord, validateSummaryEvent } from './validate.js';

export type { RejectReason } from './reject-reasons.js';
export type { ParsedLine, ParsedStepLine, ParsedSummary, StepLine } from './parsed-line.js';
export { STEP_LINE_OWN_FIELDS } from './parsed-line.js';
export { validateSummaryEvent };

import { DEFAULT_MAX_LINE_BYTES } from './limits.js';

/** pino's level labels, for lines written with `formatters.level` returning the label. */
const PINO_LEVELS: Readonly<Record<string, number>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, number>, {
    trace: 10,
    debug: 20,
    info: 30,
    warn: 40,
    error: 50,
    fatal: 60,
  }),
);
function rejected(reason: RejectReason, detail?: string): ParsedLine {
  return detail === undefined ? { kind: 'rejected', reason } : { kind: 'rejected', reason, detail };
}

/** The guide's mark of a summary event is its msg; lines from other writers may only carry event + outcome. */
function looksLikeSummary(raw: Record<string, unknown>): boolean {
  const msg = raw['msg'];
  if (typeof msg === 'string' && msg.startsWith(EVENT_MSG_PREFIX)) return true;
  return Object.hasOwn(raw, 'event') && Object.hasOwn(raw, 'outcome');
}

function byteLengthOver(line: string, max: number): boolean {
  if (line.length > max) return true;
  // Each UTF-16 unit is at most 3 UTF-8 bytes; only count when it could matter.
  return line.length * 3 > max && Buffer.byteLength(line, 'utf8') > max;
}

function stepLine(raw: Record<string, unknown>): ParsedLine {
  const context = isPlainObject(raw['context']) ? raw['context'] : undefined;
  const traceId = raw['trace_id'] ?? context?.['trace_id'];
  if (typeof traceId !== 'string') return rejected('invalid_trace_id', 'not a string');
  const mapped = toOtelTraceId(traceId);
  if (!mapped.ok) return rejected('invalid_trace_id', mapped.reason);
  const time = normalizeTime(raw['time']);
  if (!time) return rejected('bad_time');
  let level: number | undefined;
  const rawLevel = raw['level'];
  if (typeof rawLevel === 'number' && Number.isFinite(rawLevel)) level = rawLevel;
  else if (typeof rawLevel === 'string' && PINO_LEVELS[rawLevel] !== undefined) level = PINO_LEVELS[rawLevel];
  else if (rawLevel !== undefined) return rejected('bad_level');
  const component = raw['component'] ?? context?.['component'] ?? raw[ALAKAI_COMPONENT];
  // The line is kept for its fields; its `context` is not one of them and has been read: dropped
  // here (the line is ours, fresh from JSON.parse) so an open trace does not hold it.
  if (context !== undefined) raw['context'] = undefined;
  const msg = typeof raw['msg'] === 'string' ? raw['msg'] : '';
  const log: StepLine = {
    trace_id: traceId,
    time: time.iso,
    timeMs: time.ms,
    component: typeof component === 'string' ? component : undefined,
    level,
    msg,
    line: raw,
  };
  return { kind: 'log', log, traceId: mapped.traceId, timeMs: time.ms };
}

export function parseLogLine(line: string, options?: { maxBytes?: number }): ParsedLine {
  if (typeof line !== 'string') return rejected('not_json');
  const maxBytes = options?.maxBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (byteLengthOver(line, maxBytes)) return rejected('too_large');
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return rejected('not_json');
  }
  if (!isPlainObject(raw)) return rejected('not_object');
  if (mayHoldHostileKey(line)) {
    const defect = findJsonDefect(raw, Infinity);
    if (defect) return rejected(defect.defect, defect.path);
  }
  if (looksLikeSummary(raw)) {
    const result = validateEventRecord(raw, true);
    return 'kind' in result ? result : rejected(result.reason, result.detail);
  }
  const hasTraceId =
    raw['trace_id'] !== undefined || (isPlainObject(raw['context']) && raw['context']['trace_id'] !== undefined);
  if (!hasTraceId) return { kind: 'ignored' };
  return stepLine(raw);
}

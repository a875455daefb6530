/**
 * One raw log line → what it is: a summary event, a step-level log line of an execution, a line
 * that is none of our business, or a rejected line with a stable reason. Never throws. The
 * backfill calls this on millions of lines: one JSON.parse per line, no regex compiled per call,
 * and the hostile-key walk only when the text could hold such a key.
 */
import { ALAKAI_COMPONENT } from './attribute-keys.js';
import { normalizeTime } from './event-time.js';
import { findJsonDefect, isPlainObject, mayHoldHostileKey } from './json-safety.js';
import type { RejectReason } from './reject-reasons.js';
import { EVENT_MSG_PREFIX, type SummaryEvent } from './summary-event.js';
import { toOtelTraceId } from './trace-id.js';
import { validateEventRecord, validateSummaryEvent, type ValidatedFacts } from './validate.js';

export type { RejectReason } from './reject-reasons.js';
export { validateSummaryEvent };

import { DEFAULT_MAX_LINE_BYTES } from './limits.js';

const STEP_LOG_OWN_FIELDS: ReadonlySet<string> = new Set(['trace_id', 'time', 'level', 'msg', 'component', 'context']);

/**
 * A step-level log line: JSON with a trace_id that is not a summary event. Step lines are half of
 * what the backfill reads, so this keeps the parsed line instead of copying its other fields, and
 * the time in ms instead of a BigInt: `fields` and `timeUnixNano` are computed when read (for a
 * line that becomes a span event, or is printed by `trace`), not per line read (issue 6).
 */
export class StepLog {
  /** The parsed line (checked for hostile keys), read only through the accessors below. */
  readonly #line: Record<string, unknown>;
  trace_id: string;
  /** ISO 8601, ms, UTC. */
  time: string;
  /** `time` in epoch milliseconds (an integer). */
  timeMs: number;
  component?: string;
  level?: number;
  msg: string;

  constructor(line: Record<string, unknown>, traceId: string, time: string, timeMs: number, msg: string) {
    this.#line = line;
    this.trace_id = traceId;
    this.time = time;
    this.timeMs = timeMs;
    this.msg = msg;
  }

  /** `time` in epoch nanoseconds. */
  get timeUnixNano(): bigint {
    return BigInt(this.timeMs) * 1_000_000n;
  }

  /** Names of the line's other fields (trace_id, time, level, msg, component, context left out), in line order. */
  fieldNames(): string[] {
    const names: string[] = [];
    for (const key of Object.keys(this.#line)) if (!STEP_LOG_OWN_FIELDS.has(key)) names.push(key);
    return names;
  }

  /** The value of one of fieldNames(). */
  field(name: string): unknown {
    return STEP_LOG_OWN_FIELDS.has(name) || !Object.hasOwn(this.#line, name) ? undefined : this.#line[name];
  }

  /** Every other field of the line (trace_id, time, level, msg, component, context left out), as a new object. */
  get fields(): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    for (const key of this.fieldNames()) fields[key] = this.#line[key];
    return fields;
  }
}

export type ParsedLine =
  | { kind: 'summary'; event: SummaryEvent }
  | { kind: 'log'; log: StepLog }
  | { kind: 'ignored' }
  | { kind: 'rejected'; reason: RejectReason; detail?: string };

/**
 * What parseLogLine returns, with what validation computed on the way: the OTel trace id (32 hex)
 * and the time in epoch ms of a summary event or step line. The backfill groups and orders lines
 * by both; mapping the id and reading the time again per line was a measurable share of its CPU
 * (issue 6).
 */
export type ParsedLineFacts =
  | { kind: 'summary'; event: SummaryEvent; traceId: string; timeMs: number }
  | { kind: 'log'; log: StepLog; traceId: string; timeMs: number }
  | { kind: 'ignored' }
  | { kind: 'rejected'; reason: RejectReason; detail?: string };

/** pino's level labels, for lines written with `formatters.level` returning the label. */
const PINO_LEVELS: Readonly<Record<string, number>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, number>, { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }),
);
function rejected(reason: RejectReason, detail?: string): ParsedLineFacts {
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

function stepLog(raw: Record<string, unknown>): ParsedLineFacts {
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
  const log = new StepLog(raw, traceId, time.iso, time.ms, typeof raw['msg'] === 'string' ? raw['msg'] : '');
  // The line is kept for its fields; its `context` is not one of them and has been read: dropped
  // here (the line is ours, fresh from JSON.parse) so an open trace does not hold it.
  if (context !== undefined) raw['context'] = undefined;
  if (typeof component === 'string') log.component = component;
  if (level !== undefined) log.level = level;
  return { kind: 'log', log, traceId: mapped.traceId, timeMs: time.ms };
}

export function parseLogLine(line: string, options?: { maxBytes?: number }): ParsedLine {
  return parseLogLineFacts(line, options);
}

export interface ParseFactsOptions {
  maxBytes?: number;
  /**
   * A summary event may be the parsed line object itself when it is already in normalized form
   * (ValidatedFacts.reuseParsed): its keys are then in the line's order, not the guide's. For the
   * backfill, which reads events by field and never writes them back out as lines.
   */
  reuseParsed?: boolean;
}

/** parseLogLine with the trace id and time of the line (ParsedLineFacts). */
export function parseLogLineFacts(line: string, options?: ParseFactsOptions): ParsedLineFacts {
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
    if (defect) return rejected(defect.defect as RejectReason, defect.path);
  }
  const hasTraceId = raw['trace_id'] !== undefined || (isPlainObject(raw['context']) && raw['context']['trace_id'] !== undefined);
  if (looksLikeSummary(raw)) {
    const facts: ValidatedFacts = { traceId: '', timeMs: 0, reuseParsed: options?.reuseParsed === true };
    const result = validateEventRecord(raw, true, facts);
    return result.ok ? { kind: 'summary', event: result.event, traceId: facts.traceId, timeMs: facts.timeMs } : rejected(result.reason, result.detail);
  }
  if (!hasTraceId) return { kind: 'ignored' };
  return stepLog(raw);
}

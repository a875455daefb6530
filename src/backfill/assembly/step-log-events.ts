/**
 * Step-level log lines (the guide's runbook step 3: every line with the execution's trace_id that
 * is not a summary event) → span events on the slice that was running when they were written: a
 * slice of the same component whose [start, end] holds the line's time, else the nearest one in
 * time. Only legacy slices take them: a bridged slice must stay byte-identical to the span the
 * service exported live (Jaeger de-duplicates only identical spans). A line of a component that
 * has slices in the trace stays with that component: with no legacy slice of it (a bridged
 * service) it is left unattached. Only the lines of a component with no slice at all (or of no
 * component) go to the nearest legacy slice of any component. Handing a bridged service's lines to
 * another service's slice made that slice depend on lines written minutes after it ended, which a
 * live assembler (`follow`) cannot wait for; kept to its own component, a slice's events come from
 * lines its service wrote before its summary event.
 */
import { boundedMemo } from '../../contract/cache.js';
import type { StepLine } from '../../contract/parsed-line.js';
import { sanitizeText } from '../../contract/sanitize.js';
import type { Attributes, SpanEventRecord } from '../../contract/span-record.js';
import { stepLineField, stepLineFieldNames, stepLineFields, stepLineTimeNs } from './step-line-fields.js';
import type { Slice } from './legacy-links.js';

const MAX_EVENT_NAME = 128;
const MAX_FIELD_TEXT = 1024;
const MAX_FIELDS = 32;
/** Per span: a slice with thousands of debug lines would make a span X-Ray refuses (≤ 200 KB). */
export const MAX_LOG_EVENTS_PER_SPAN = 128;

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

function distance(slice: Slice, t: bigint): bigint {
  const { startNs: s, endNs: e } = slice;
  return t < s ? s - t : t > e ? t - e : 0n;
}

/** The legacy slices of one trace, in slice order, and the same split by component. */
export interface LogTargets {
  all: Slice[];
  byComponent: Map<string, Slice[]>;
  /** Components with any slice (bridged or legacy) in the trace. */
  components: Set<string>;
}

/**
 * Built once per trace: a trace's step lines all look for a slice among the same candidates, and
 * filtering the slices again for every line was a measurable part of the backfill (issue 6).
 */
export function logTargets(slices: readonly Slice[]): LogTargets {
  const all = slices.filter((s) => s.legacy);
  const byComponent = new Map<string, Slice[]>();
  const components = new Set<string>();
  for (const s of slices) components.add(s.component);
  for (const s of all) {
    const list = byComponent.get(s.component);
    if (list) list.push(s);
    else byComponent.set(s.component, [s]);
  }
  return { all, byComponent, components };
}

/**
 * The slice a line belongs to among `targets`, or undefined when there is none for it (no legacy
 * slice, or its component's slices are all bridged). `timeNs` is stepLineTimeNs(log), computed
 * once by the caller for this and logToSpanEventAt.
 */
export function sliceForLogAt(log: StepLine, timeNs: bigint, targets: LogTargets): Slice | undefined {
  const component = log.component;
  const pool = component && targets.components.has(component) ? targets.byComponent.get(component) : targets.all;
  if (pool === undefined || pool.length === 0) return undefined;
  let best: Slice | undefined;
  let bestDistance = 0n;
  // `pool` is in slice order, so ties go to the earlier slice, whatever the input order was.
  for (const s of pool) {
    const d = distance(s, timeNs);
    if (!best || d < bestDistance) {
      best = s;
      bestDistance = d;
    }
  }
  return best;
}

/** `log.<field>` names: the same few field names come on every line, so each name is built once. */
const logAttributeName = boundedMemo(4096, (key) => `log.${key.slice(0, 64)}`);

/**
 * One step-level line as a span event at `timeNs` (stepLineTimeNs(log)): name from msg, fields as
 * `log.*` attributes (sanitized, capped).
 */
export function logToSpanEventAt(log: StepLine, timeNs: bigint): SpanEventRecord {
  // A plain object, not a null-prototype one (which V8 keeps in its slower dictionary mode): every
  // key here is `log.message`, `log.severity`, `alakai.component` or `log.<field>`, so none can be
  // `__proto__` or an array index, and the key order is the insertion order either way.
  const attributes: Attributes = {};
  const message = sanitizeText(log.msg);
  attributes['log.message'] = message;
  if (log.level !== undefined) attributes['log.severity'] = LEVEL_NAMES[log.level] ?? String(log.level);
  if (log.component) attributes['alakai.component'] = log.component;
  let n = 0;
  for (const key of stepLineFieldNames(log).sort()) {
    if (n >= MAX_FIELDS) break;
    const value = stepLineField(log, key);
    const attr = logAttributeName(key);
    if (typeof value === 'string') attributes[attr] = sanitizeText(value, MAX_FIELD_TEXT);
    else if (typeof value === 'number' && Number.isFinite(value)) attributes[attr] = value;
    else if (typeof value === 'boolean') attributes[attr] = value;
    else if (value !== null && value !== undefined)
      attributes[attr] = sanitizeText(JSON.stringify(value) ?? '', MAX_FIELD_TEXT);
    else continue;
    n++;
  }
  const name = message.length > 0 ? message.slice(0, MAX_EVENT_NAME) : 'log';
  return { name, timeUnixNano: timeNs, attributes };
}

/** Stable identity of a line, so a duplicated line becomes one event. */
export function stepLogKey(log: StepLine): string {
  return `${stepLineTimeNs(log)}\u0000${log.component ?? ''}\u0000${log.level ?? ''}\u0000${log.msg}\u0000${JSON.stringify(stepLineFields(log))}`;
}

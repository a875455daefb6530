/**
 * A slice span and its descendant spans in this process → the summary event the SDK processor
 * logs when the slice ends. The guide's fields come first, in the guide's order, so the guide's
 * Logs Insights queries keep working; the bridge extension (span_id, parent_span_id, otel) follows
 * `msg`. docs/mapping.md describes every rule.
 */
import { diffAttributes, type AttributeDiff } from './attribute-diff.js';
import { identityMemo, whenFrozen } from './cache.js';
import {
  ALAKAI_COMPONENT,
  ALAKAI_EVENT,
  ALAKAI_FINAL_STATUS,
  ALAKAI_LEGACY,
  ALAKAI_OUTCOME,
  ALAKAI_STEP,
  ALAKAI_STEPS_DECLARED,
  ALAKAI_STEPS_PREFIX,
  ALAKAI_TRACE_ID,
  ERROR_TYPE,
  EXCEPTION_EVENT,
  EXCEPTION_MESSAGE,
  EXCEPTION_TYPE,
  SERVICE_NAME,
} from './attribute-keys.js';
import { copyAttributes } from './attribute-values.js';
import { unflattenDomain } from './domain-attributes.js';
import { sanitizeExceptionAttributes, sanitizeExceptionMessage } from './exception-text.js';
import { guideDomainDefect, pruneGuideDomain } from './guide-domain.js';
import { isoOfMs } from './iso-time.js';
import {
  encodeOtelExtension,
  MAX_DESCENDANTS,
  MAX_EXTENSION_CHARS,
  type ExtensionDescendant,
  type ExtensionEvent,
  type OtelExtension,
} from './otel-extension.js';
import { sharedComponentResource } from './resource.js';
import { MAX_NAME_LENGTH, MAX_STEPS } from './limits.js';
import { sanitizeText } from './sanitize.js';
import {
  DEFAULT_SCOPE,
  defaultFinalStatus,
  defaultSliceKind,
  deriveSliceAttributes,
  derivedStatusCode,
  derivedStatusMessage,
  type FlatDomain,
} from './slice-fields.js';
import {
  STATUS_CODE,
  type Attributes,
  type ScopeRecord,
  type SpanEventRecord,
  type SpanRecord,
} from './span-record.js';
import {
  eventMsg,
  isOutcome,
  STEP_STATUSES,
  type Outcome,
  type StepStatus,
  type SummaryError,
  type SummaryEvent,
} from './summary-event.js';
import { toAlakaiTraceId, toOtelTraceId } from './trace-id.js';

const NS_PER_MS = 1_000_000n;
/** Date's range: ±8.64e15 ms. Outside it toISOString throws, and the processor must never throw. */
const MAX_DATE_MS = 8_640_000_000_000_000n;

function stringAttr(attributes: Attributes, key: string): string | undefined {
  const v = attributes[key];
  return typeof v === 'string' ? v : undefined;
}

/** The line's `time`: the slice's end, to the millisecond (exact: BigInt division, clamped to Date's range). */
function isoOfNs(ns: bigint): string {
  let ms = ns / NS_PER_MS;
  if (ns < 0n) ms = 0n;
  if (ms > MAX_DATE_MS) ms = MAX_DATE_MS;
  return isoOfMs(Number(ms));
}

function sliceTraceId(slice: SpanRecord): string {
  const original = stringAttr(slice.attributes, ALAKAI_TRACE_ID);
  if (original !== undefined) {
    const mapped = toOtelTraceId(original);
    if (mapped.ok && mapped.traceId === slice.traceId) return original;
  }
  return toAlakaiTraceId(slice.traceId);
}

function isStepStatus(v: unknown): v is StepStatus {
  return typeof v === 'string' && (STEP_STATUSES as readonly string[]).includes(v);
}

/** Step spans that belong to this slice, not to a nested slice inside it. */
function ownStepSpans(slice: SpanRecord, descendants: readonly SpanRecord[]): SpanRecord[] {
  const steps = descendants.filter((d) => typeof d.attributes[ALAKAI_STEP] === 'string');
  if (steps.length === 0 || !descendants.some((d) => d.attributes[ALAKAI_EVENT] !== undefined)) return steps;
  const byId = new Map(descendants.map((d) => [d.spanId, d]));
  return steps.filter((step) => {
    let parentId = step.parentSpanId;
    for (let hops = 0; parentId && parentId !== slice.spanId && hops <= descendants.length; hops++) {
      const parent = byId.get(parentId);
      if (!parent) return true;
      if (parent.attributes[ALAKAI_EVENT] !== undefined) return false;
      parentId = parent.parentSpanId;
    }
    return true;
  });
}

/** Adds a step to the line's `steps` within what validateSummaryEvent accepts; false when full. */
function addStep(steps: Record<string, StepStatus>, count: number, name: unknown, status: StepStatus): number {
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH || count >= MAX_STEPS || Object.hasOwn(steps, name))
    return count;
  steps[name] = status;
  return count + 1;
}

function runStatus(run: SpanRecord): StepStatus {
  return run.status.code === STATUS_CODE.ERROR ? 'error' : 'ok';
}

/**
 * Declared steps first, in declared order ("-" when they never ran), then steps that ran undeclared
 * in start order, then steps recorded only as `alakai.steps.<name>` attributes. A step that ran
 * more than once (a retry) reports its last run.
 */
function sliceSteps(slice: SpanRecord, descendants: readonly SpanRecord[]): Record<string, StepStatus> {
  const runs = ownStepSpans(slice, descendants);
  // Steps usually end, and so arrive, in start order: sort only when they did not.
  let sorted = true;
  for (let i = 1; sorted && i < runs.length; i++) sorted = runs[i - 1]!.startTimeUnixNano <= runs[i]!.startTimeUnixNano;
  if (!sorted)
    runs.sort((a, b) =>
      a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0,
    );
  // Each name's last run (by end; among equal ends the later start), in the order names first ran.
  const ran = new Map<string, SpanRecord>();
  for (const run of runs) {
    const name = run.attributes[ALAKAI_STEP] as string;
    const previous = ran.get(name);
    if (!previous || previous.endTimeUnixNano <= run.endTimeUnixNano) ran.set(name, run);
  }
  let recorded: Map<string, StepStatus> | undefined;
  for (const key of Object.keys(slice.attributes)) {
    if (!key.startsWith(ALAKAI_STEPS_PREFIX)) continue;
    const value = slice.attributes[key];
    if (isStepStatus(value)) (recorded ??= new Map()).set(key.slice(ALAKAI_STEPS_PREFIX.length), value);
  }
  // Within what validateSummaryEvent accepts (≤ 256 steps, names ≤ 256 characters), so the line
  // can be read back; the step spans themselves still travel in the extension.
  const steps: Record<string, StepStatus> = {};
  let count = 0;
  const declared = slice.attributes[ALAKAI_STEPS_DECLARED];
  if (Array.isArray(declared))
    for (const name of declared) {
      const run = ran.get(name as string);
      count = addStep(steps, count, name, run ? runStatus(run) : (recorded?.get(name as string) ?? '-'));
    }
  for (const [name, run] of ran) count = addStep(steps, count, name, runStatus(run));
  if (recorded) for (const [name, status] of recorded) count = addStep(steps, count, name, status);
  return steps;
}

function lastException(events: readonly SpanEventRecord[]): SpanEventRecord | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]!.name === EXCEPTION_EVENT) return events[i];
  return undefined;
}

/** `error` is set exactly when the slice's status is ERROR. */
function sliceError(slice: SpanRecord): SummaryError | null {
  if (slice.status.code !== STATUS_CODE.ERROR) return null;
  const exception = lastException(slice.events);
  const type =
    (exception && stringAttr(exception.attributes, EXCEPTION_TYPE)) ??
    stringAttr(slice.attributes, ERROR_TYPE) ??
    'Error';
  const message = (exception && stringAttr(exception.attributes, EXCEPTION_MESSAGE)) ?? slice.status.message ?? '';
  return { type, message: sanitizeExceptionMessage(message) };
}

/** Exception texts are sanitized before they reach a log line; other attributes travel as they are. */
function sanitizeEventAttributes(name: string, attributes: Attributes): Attributes {
  if (name !== EXCEPTION_EVENT) return attributes;
  return sanitizeExceptionAttributes(attributes, copyAttributes);
}

function relativeEvents(events: readonly SpanEventRecord[], startNs: bigint): ExtensionEvent[] {
  return events.map((e) => ({
    name: e.name,
    offsetNs: e.timeUnixNano - startNs,
    attributes: sanitizeEventAttributes(e.name, e.attributes),
  }));
}

function sameScope(a: ScopeRecord, b: ScopeRecord): boolean {
  return a.name === b.name && a.version === b.version;
}

function encodeDescendants(slice: SpanRecord, kept: readonly SpanRecord[]): ExtensionDescendant[] {
  const index = new Map<string, number>([[slice.spanId, 0]]);
  kept.forEach((d, i) => index.set(d.spanId, i + 1));
  return kept.map((d) => {
    const out: ExtensionDescendant = {
      spanId: d.spanId,
      parent: index.get(d.parentSpanId ?? '') ?? d.parentSpanId ?? 0,
      name: d.name,
      kind: d.kind,
      startOffsetNs: d.startTimeUnixNano - slice.startTimeUnixNano,
      durationNs: d.endTimeUnixNano - d.startTimeUnixNano,
      status: { code: d.status.code },
      attributes: d.attributes,
      events: relativeEvents(d.events, slice.startTimeUnixNano),
    };
    if (d.status.message) out.status.message = sanitizeText(d.status.message);
    if (!sameScope(d.scope, slice.scope)) out.scope = d.scope;
    if (d.resource !== slice.resource) {
      const resourceDiff = diffAttributes(d.resource, slice.resource);
      if (resourceDiff) out.resource = resourceDiff;
    }
    return out;
  });
}

/**
 * The slice resource's difference from the component's shared resource. A process's spans share
 * one frozen resource record and sharedComponentResource returns one frozen object per
 * (service, component), so the difference is computed once per pair instead of on every slice
 * (cache.ts: by identity, frozen keys only). Unfrozen resources are diffed every time.
 */
const resourceDiffsFrom = identityMemo(
  (actual: Attributes) => identityMemo((derived: Attributes) => diffAttributes(actual, derived), whenFrozen),
  whenFrozen,
);

function resourceDiff(actual: Attributes, derived: Attributes): AttributeDiff | undefined {
  return resourceDiffsFrom(actual)(derived);
}

function bridgeExtension(
  slice: SpanRecord,
  descendants: readonly SpanRecord[],
  event: SummaryEvent,
  domainKeys: string[],
  flat: FlatDomain | undefined,
): string {
  const derivedAttributes = deriveSliceAttributes(event, slice.traceId, domainKeys, false, flat);
  const ext: OtelExtension = {
    startNs: slice.startTimeUnixNano,
    durationNs: slice.endTimeUnixNano - slice.startTimeUnixNano,
    domainKeys,
    events: relativeEvents(slice.events, slice.startTimeUnixNano),
    descendants: [],
    dropped: 0,
    truncated: false,
  };
  if (slice.name !== event.event) ext.name = slice.name;
  if (slice.kind !== defaultSliceKind(event.component)) ext.kind = slice.kind;
  if (slice.status.code !== derivedStatusCode(event)) ext.statusCode = slice.status.code;
  const message = slice.status.message ? sanitizeText(slice.status.message) : '';
  if (message !== (derivedStatusMessage(event) ?? '')) ext.statusMessage = message;
  const attributeDiff = diffAttributes(slice.attributes, derivedAttributes);
  if (attributeDiff) ext.attributes = attributeDiff;
  const sliceResourceDiff = resourceDiff(slice.resource, sharedComponentResource(event.service, event.component));
  if (sliceResourceDiff) ext.resource = sliceResourceDiff;
  if (!sameScope(slice.scope, DEFAULT_SCOPE)) ext.scope = slice.scope;

  let keep = Math.min(descendants.length, MAX_DESCENDANTS);
  ext.descendants = encodeDescendants(slice, descendants.slice(0, keep));
  ext.dropped = descendants.length - keep;
  let text = encodeOtelExtension(ext);
  // Over the size cap: halve the descendants kept until it fits, then give up the slice's own
  // attribute differences and events. Counted in `dr` / flagged by `tr`, never silently.
  while (text.length > MAX_EXTENSION_CHARS && keep > 0) {
    keep = Math.floor(keep / 2);
    ext.descendants = ext.descendants.slice(0, keep);
    ext.dropped = descendants.length - keep;
    text = encodeOtelExtension(ext);
  }
  if (text.length > MAX_EXTENSION_CHARS) {
    delete ext.attributes;
    ext.events = [];
    ext.truncated = true;
    text = encodeOtelExtension(ext);
  }
  return text;
}

function sliceOutcome(slice: SpanRecord): Outcome {
  const v = slice.attributes[ALAKAI_OUTCOME];
  if (isOutcome(v)) return v;
  return slice.status.code === STATUS_CODE.ERROR ? 'error' : 'success';
}

export function sliceToSummaryEvent(slice: SpanRecord, descendants: readonly SpanRecord[]): SummaryEvent {
  const attributes = slice.attributes;
  const legacy = attributes[ALAKAI_LEGACY] === true;
  const service = stringAttr(slice.resource, SERVICE_NAME) ?? 'unknown_service';
  const component =
    stringAttr(slice.resource, ALAKAI_COMPONENT) ?? stringAttr(attributes, ALAKAI_COMPONENT) ?? 'unknown';
  const traceId = sliceTraceId(slice);
  const eventName = stringAttr(attributes, ALAKAI_EVENT) ?? slice.name;
  const outcome = sliceOutcome(slice);
  const durationNs = slice.endTimeUnixNano - slice.startTimeUnixNano;
  const domain = unflattenDomain(attributes);
  // The domain attributes stand for themselves in the derived attributes only when no guide
  // member had to be pruned (pruned members are not derived, so the extension sets them).
  let flat: FlatDomain | undefined;
  if (guideDomainDefect(domain.fields)) pruneGuideDomain(domain.fields);
  else if (domain.reflattened) flat = { attributes, keys: domain.reflattened };
  const context: SummaryEvent['context'] = { trace_id: traceId, component };
  if (domain.contextExtras) Object.assign(context, domain.contextExtras);

  // Key order is the guide's: time, level, service, component, trace_id, event, outcome,
  // final_status, duration_ms, context, steps, error, <domain objects>, msg.
  const event = {
    time: isoOfNs(slice.endTimeUnixNano),
    level: 30,
    service,
    component,
    trace_id: traceId,
    event: eventName,
    outcome,
    final_status: stringAttr(attributes, ALAKAI_FINAL_STATUS) ?? defaultFinalStatus(outcome),
    // Exact for durations with ≤ 6 decimals, so legacy events (whole ms) come back unchanged.
    duration_ms: durationNs > 0n ? Number(durationNs) / 1e6 : 0,
    context,
    steps: sliceSteps(slice, descendants),
    error: sliceError(slice),
  } as SummaryEvent;
  const domainKeys = Object.keys(domain.fields);
  for (const key of domainKeys) event[key] = domain.fields[key];
  // Set last so `msg` follows the domain objects, as in the guide's example.
  event.msg = eventMsg(eventName, outcome);
  if (legacy) return event;
  event.span_id = slice.spanId;
  if (slice.parentSpanId) event.parent_span_id = slice.parentSpanId;
  event.otel = bridgeExtension(slice, descendants, event, domainKeys, flat);
  return event;
}

/**
 * What both mapping directions derive from a summary event's own fields. spans → event writes only
 * what differs from this into the bridge extension; event → spans starts from it. Keeping it in
 * one place is what makes the round trip exact.
 */
import {
  ALAKAI_EVENT,
  ALAKAI_FINAL_STATUS,
  ALAKAI_LEGACY,
  ALAKAI_OUTCOME,
  ALAKAI_STEPS_PREFIX,
  ALAKAI_TRACE_ID,
  ERROR_TYPE,
  SCOPE_NAME,
} from './attribute-keys.js';
import { boundedMemo, MAX_CACHED_ENTRIES } from './cache.js';
import { flattenDomain } from './domain-attributes.js';
import {
  SPAN_KIND,
  STATUS_CODE,
  type Attributes,
  type ScopeRecord,
  type SpanKindValue,
  type StatusCodeValue,
} from './span-record.js';
import type { Outcome, SummaryEvent } from './summary-event.js';
import { needsOriginalTraceId } from './trace-id.js';

/** Scope of spans rebuilt from legacy events, and the default scope of bridged slices. */
export const DEFAULT_SCOPE: Readonly<ScopeRecord> = Object.freeze({ name: SCOPE_NAME });

/**
 * Span kind of a slice by component: core slices answer a webhook or a Slack command (SERVER),
 * the orchestrator consumes an SQS message and the worker a Redis hand-over (CONSUMER).
 */
export function defaultSliceKind(component: string): SpanKindValue {
  switch (component) {
    case 'core':
      return SPAN_KIND.SERVER;
    case 'orchestrator':
    case 'worker':
      return SPAN_KIND.CONSUMER;
    default:
      return SPAN_KIND.INTERNAL;
  }
}

/** `final_status` of a slice that never set one. */
export function defaultFinalStatus(outcome: Outcome): string {
  return outcome === 'success' ? 'completed' : outcome === 'error' ? 'failed' : 'skipped';
}

export function derivedStatusCode(event: SummaryEvent): StatusCodeValue {
  return event.error ? STATUS_CODE.ERROR : STATUS_CODE.UNSET;
}

export function derivedStatusMessage(event: SummaryEvent): string | undefined {
  return event.error && event.error.message ? event.error.message : undefined;
}

/** `alakai.steps.<name>`: the same few step names come on every slice, so each name is built once. */
const stepAttributeName = boundedMemo(MAX_CACHED_ENTRIES, (step) => ALAKAI_STEPS_PREFIX + step);

/**
 * The attributes flattenDomain would write for the event's domain fields, already at hand: the
 * span's own, when unflattenDomain proved they flatten back to themselves (`reflattened`).
 */
export interface FlatDomain {
  attributes: Attributes;
  keys: readonly string[];
}

/**
 * The slice span attributes implied by the event: alakai.event, the original trace id when it is
 * not the canonical UUID, domain fields and context extras, alakai.outcome/final_status,
 * error.type; for legacy spans also the marker and `alakai.steps.<name>`. With `flat`, the domain
 * attributes are copied from it instead of flattened again (the same keys and values, by its proof).
 */
export function deriveSliceAttributes(
  event: SummaryEvent,
  otelTraceId: string,
  domainKeys: readonly string[],
  legacy: boolean,
  flat?: FlatDomain,
): Attributes {
  // Order follows how a slice is usually instrumented — name and domain fields when the slice
  // starts, outcome and error when it ends — so a live slice's attribute order usually needs no
  // `order` entry in the extension.
  // A plain object, not newAttributes(): every key here starts with `alakai.` or is `error.type`,
  // so none can be `__proto__`, and V8 keeps plain objects in its fast property mode.
  const out: Attributes = {};
  if (legacy) out[ALAKAI_LEGACY] = true;
  out[ALAKAI_EVENT] = event.event;
  if (needsOriginalTraceId(event.trace_id, otelTraceId)) out[ALAKAI_TRACE_ID] = event.trace_id;
  if (legacy) for (const name of Object.keys(event.steps)) out[stepAttributeName(name)] = event.steps[name]!;
  if (flat) for (const k of flat.keys) out[k] = flat.attributes[k]!;
  else flattenDomain(event, domainKeys, out);
  out[ALAKAI_OUTCOME] = event.outcome;
  out[ALAKAI_FINAL_STATUS] = event.final_status;
  if (event.error) out[ERROR_TYPE] = event.error.type;
  return out;
}

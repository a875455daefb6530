/**
 * alakaiLogMixin(): a pino `mixin` for code that logs through its own (module-level) logger inside
 * a slice. Like @opentelemetry/instrumentation-pino it correlates by the active OTel context on the
 * main thread (a mixin runs in the logging call; a pino transport's worker thread has no context),
 * but it writes the Alakai keys in the form the summary line has: `trace_id` as the Alakai id
 * (the UUID, or the original text of a non-UUID id) and `context: { trace_id, component }`.
 *
 * It never overwrites a `trace_id` the caller set: pino's default mixinMergeStrategy already lets
 * the log call's object win (`Object.assign(mixinObject, mergeObject)`, pino lib/proto.js), and
 * the mixin adds nothing when the call's object has a `trace_id`, for a custom strategy that would
 * let the mixin win, or when the logger binds one (`slice.logger`, a request logger), where both
 * would be written. https://github.com/pinojs/pino/blob/main/docs/api.md#mixin-function
 */
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { toAlakaiTraceId } from '../contract/trace-id.js';
import { boundKeys } from './bound-keys.js';
import { activeSliceIn } from './slice-context.js';

export interface AlakaiLogFields {
  trace_id: string;
  context?: { trace_id: string; component: string };
}

export type AlakaiLogMixin = (mergeObject: object, level: number, logger?: Logger) => Partial<AlakaiLogFields>;

function callerSetTraceId(mergeObject: object): boolean {
  return (
    typeof mergeObject === 'object' &&
    mergeObject !== null &&
    (mergeObject as Record<string, unknown>)['trace_id'] !== undefined
  );
}

/**
 * `pino({ mixin: alakaiLogMixin() })`. Inside a slice (its steps and anything they call): the
 * slice's `trace_id` and `context`. Inside another span only: `trace_id` from that span's trace
 * (UUID form), no `context` (the component is not known). Outside any span: nothing.
 */
export function alakaiLogMixin(): AlakaiLogMixin {
  // A new object every time: pino's default strategy assigns the call's fields into it.
  return (mergeObject, _level, logger) => {
    const out: Partial<AlakaiLogFields> = {};
    try {
      if (callerSetTraceId(mergeObject)) return out;
      const bound = logger ? boundKeys(logger) : undefined;
      if (bound?.has('trace_id')) return out;
      const active = context.active();
      const slice = activeSliceIn(active);
      if (slice) {
        out.trace_id = slice.traceId;
        if (!bound?.has('context')) out.context = { trace_id: slice.traceId, component: slice.component };
        return out;
      }
      const spanContext = trace.getSpanContext(active);
      if (spanContext && isSpanContextValid(spanContext)) out.trace_id = toAlakaiTraceId(spanContext.traceId);
      return out;
    } catch {
      return {}; // a logging call must never throw because of correlation
    }
  };
}

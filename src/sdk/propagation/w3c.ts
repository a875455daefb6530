/**
 * W3C Trace Context carriers for the hand-overs. The helpers use their own propagator instance
 * (not the global one), so the hops work even when the host registered another propagator.
 * https://www.w3.org/TR/trace-context/
 */
import { ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { toAlakaiTraceId } from '../../contract/trace-id.js';

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';
/** The guide's join key, carried beside traceparent so log-only consumers still see it. */
export const TRACE_ID = 'trace_id';
/** W3C caps: traceparent is 55 chars; tracestate ≤ 32 members of ≤ 256 chars. */
const MAX_HEADER_LENGTH = 8192;

const w3c = new W3CTraceContextPropagator();

const setter = {
  set(carrier: Record<string, string>, key: string, value: string): void {
    carrier[key] = value;
  },
};

const getter = {
  get(carrier: Record<string, string>, key: string): string | undefined {
    return Object.hasOwn(carrier, key) ? carrier[key] : undefined;
  },
  keys(carrier: Record<string, string>): string[] {
    return Object.keys(carrier);
  },
};

/** `{ traceparent, tracestate? }` for the span in `ctx`; empty when there is no valid span. */
export function injectW3c(ctx: Context): Record<string, string> {
  const carrier = Object.create(null) as Record<string, string>;
  w3c.inject(ctx, carrier, setter);
  return carrier;
}

export function extractW3c(traceparent: unknown, tracestate: unknown): Context {
  if (typeof traceparent !== 'string' || traceparent.length > MAX_HEADER_LENGTH) return ROOT_CONTEXT;
  const carrier = Object.create(null) as Record<string, string>;
  carrier[TRACEPARENT] = traceparent;
  if (typeof tracestate === 'string' && tracestate.length <= MAX_HEADER_LENGTH) carrier[TRACESTATE] = tracestate;
  return w3c.extract(ROOT_CONTEXT, carrier, getter);
}

/** The Alakai form of the trace id active in `ctx`, if any. */
export function alakaiTraceIdOf(ctx: Context): string | undefined {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext ? toAlakaiTraceId(spanContext.traceId) : undefined;
}

/** A trace id string from a carrier, if it is a short printable one (it is echoed into logs). */
export function carriedTraceId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 256 && /^[\x20-\x7e]+$/.test(value)
    ? value
    : undefined;
}

/**
 * Hop 2 of the guide: orchestrator → ECS task → worker, with the trace in the Redis payload (the
 * JSON the worker reads). Fields sit at the payload's top level: `trace_id` (the guide's name) and
 * the W3C `traceparent` (plus `tracestate` when there is one).
 */
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { alakaiTraceIdOf, carriedTraceId, extractW3c, injectW3c, TRACEPARENT, TRACESTATE } from './w3c.js';

export function injectRedisPayload<T extends Record<string, unknown>>(
  payload: T,
  context: Context,
): T & { trace_id: string; traceparent: string } {
  const w3c = injectW3c(context);
  const out: Record<string, unknown> = { ...payload };
  // An execution's own trace_id (set by the caller) wins over the span's; the traceparent is ours.
  if (typeof out.trace_id !== 'string') out.trace_id = alakaiTraceIdOf(context) ?? '';
  out.traceparent = w3c[TRACEPARENT] ?? '';
  if (w3c[TRACESTATE]) out.tracestate = w3c[TRACESTATE];
  return out as T & { trace_id: string; traceparent: string };
}

/** Accepts the parsed payload object or its JSON text. Anything malformed yields the root context. */
export function extractRedisContext(payload: unknown): { context: Context; traceId?: string } {
  let value = payload;
  if (typeof value === 'string') {
    if (value.length > 1024 * 1024) return { context: ROOT_CONTEXT };
    try {
      value = JSON.parse(value);
    } catch {
      return { context: ROOT_CONTEXT };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { context: ROOT_CONTEXT };
  const fields = value as Record<string, unknown>;
  const own = (key: string): unknown => (Object.hasOwn(fields, key) ? fields[key] : undefined);
  const context = extractW3c(own(TRACEPARENT), own(TRACESTATE));
  const traceId = carriedTraceId(own('trace_id')) ?? (context === ROOT_CONTEXT ? undefined : alakaiTraceIdOf(context));
  return traceId === undefined ? { context } : { context, traceId };
}

/**
 * Error texts leave the process redacted, whoever wrote them. Our own helpers already sanitize
 * (exception.ts), but a service may call `span.setStatus({ message })` or `span.recordException()`
 * through the OTel API itself; those texts would reach the collector as they are, while the summary
 * line carries them redacted. So the export path applies the summary line's rules (status message:
 * sanitizeText; the exception texts: contract/exception-text.ts, as the summary line does) to every span — which also keeps the live span equal to the one
 * rebuilt from the line. sanitizeText is idempotent, so texts already clean come back unchanged and
 * the span object is passed through untouched (the common case costs two checks).
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { EXCEPTION_EVENT } from '../contract/attribute-keys.js';
import { sanitizeExceptionAttributes } from '../contract/exception-text.js';
import { sanitizeText } from '../contract/sanitize.js';

function cleanEvent(event: TimedEvent): TimedEvent {
  if (event.name !== EXCEPTION_EVENT || !event.attributes) return event;
  const attributes = sanitizeExceptionAttributes<Attributes>(event.attributes, (original) => ({ ...original }));
  return attributes !== event.attributes ? { ...event, attributes } : event;
}

export function sanitizedForExport(span: ReadableSpan): ReadableSpan {
  const message = span.status.message;
  const cleanMessage = message ? sanitizeText(message) : message;
  let events: TimedEvent[] | undefined;
  span.events.forEach((event, i) => {
    const clean = cleanEvent(event);
    if (clean !== event) (events ??= [...span.events])[i] = clean;
  });
  if (cleanMessage === message && !events) return span;
  // A view over the original: everything else (ids, times, resource, getters) is read through it.
  const overrides: PropertyDescriptorMap = {};
  if (cleanMessage !== message)
    overrides.status = { value: { ...span.status, message: cleanMessage }, enumerable: true };
  if (events) overrides.events = { value: events, enumerable: true };
  return Object.create(span, overrides) as ReadableSpan;
}

/**
 * Recording an error on a span with its texts sanitized. The SDK's `recordException` copies the
 * message and stack verbatim into the exported span; those texts can hold tokens (a failed git
 * push prints its URL), so we add the semantic-conventions `exception` event ourselves.
 * https://opentelemetry.io/docs/specs/semconv/exceptions/exceptions-spans/
 */
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ERROR_TYPE, EXCEPTION_EVENT, EXCEPTION_MESSAGE, EXCEPTION_TYPE } from '../contract/attribute-keys.js';
import { sanitizeText } from '../contract/sanitize.js';

const MAX_TYPE_LENGTH = 256;
const MAX_STACK_LENGTH = 8 * 1024;

/** The guide's `error.type`: the exception's class name. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) {
    const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
    const name = typeof ctor === 'string' && ctor !== '' && ctor !== 'Object' ? ctor : error.name;
    return sanitizeText(String(name || 'Error'), MAX_TYPE_LENGTH);
  }
  return 'Error';
}

export function errorMessageOf(error: unknown): string {
  try {
    if (error instanceof Error) return sanitizeText(String(error.message));
    if (typeof error === 'string') return sanitizeText(error);
    if (error === undefined || error === null) return '';
    return sanitizeText(String(error));
  } catch {
    return ''; // a hostile toString must not throw into the service
  }
}

export function recordSanitizedException(span: Span, error: unknown): string {
  const message = errorMessageOf(error);
  const attributes: Record<string, string> = { [EXCEPTION_TYPE]: errorTypeOf(error), [EXCEPTION_MESSAGE]: message };
  if (error instanceof Error && typeof error.stack === 'string') {
    attributes['exception.stacktrace'] = sanitizeText(error.stack, MAX_STACK_LENGTH);
  }
  span.addEvent(EXCEPTION_EVENT, attributes);
  span.setAttribute(ERROR_TYPE, attributes[EXCEPTION_TYPE]!);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  return message;
}

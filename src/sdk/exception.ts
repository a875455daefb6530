/**
 * Recording an error on a span with its texts sanitized. The SDK's `recordException` copies the
 * message and stack verbatim into the exported span; those texts can hold tokens (a failed git
 * push prints its URL), so we add the semantic-conventions `exception` event ourselves.
 * https://opentelemetry.io/docs/specs/semconv/exceptions/exceptions-spans/
 */
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import {
  ERROR_TYPE,
  EXCEPTION_EVENT,
  EXCEPTION_MESSAGE,
  EXCEPTION_STACKTRACE,
  EXCEPTION_TYPE,
} from '../contract/attribute-keys.js';
import { sanitizeExceptionMessage, sanitizeExceptionStack } from '../contract/exception-text.js';
import { MAX_NAME_LENGTH } from '../contract/limits.js';
import { sanitizeText } from '../contract/sanitize.js';

/** The guide's `error.type`: the exception's class name. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) {
    const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
    const name = typeof ctor === 'string' && ctor !== '' && ctor !== 'Object' ? ctor : error.name;
    return sanitizeText(String(name || 'Error'), MAX_NAME_LENGTH);
  }
  return 'Error';
}

export function errorMessageOf(error: unknown): string {
  try {
    if (error instanceof Error) return sanitizeExceptionMessage(String(error.message));
    if (typeof error === 'string') return sanitizeExceptionMessage(error);
    if (error === undefined || error === null) return '';
    // Whatever was thrown, by its own toString: "[object Object]" for a plain object is what it is.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    return sanitizeExceptionMessage(String(error));
  } catch {
    return ''; // a hostile toString must not throw into the service
  }
}

export function recordSanitizedException(span: Span, error: unknown): string {
  const message = errorMessageOf(error);
  const attributes: Record<string, string> = { [EXCEPTION_TYPE]: errorTypeOf(error), [EXCEPTION_MESSAGE]: message };
  if (error instanceof Error && typeof error.stack === 'string') {
    attributes[EXCEPTION_STACKTRACE] = sanitizeExceptionStack(error.stack);
  }
  span.addEvent(EXCEPTION_EVENT, attributes);
  span.setAttribute(ERROR_TYPE, attributes[EXCEPTION_TYPE]!);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  return message;
}

/**
 * The one rule for the texts of an `exception` event, applied wherever such a text is written: the
 * SDK when it records an error (sdk/exception.ts), the export path for spans a service built through
 * the OTel API itself (sdk/sanitized-span.ts), and the summary line (spans-to-event.ts). All three
 * must agree, or the live span and the span rebuilt from the line differ.
 * https://opentelemetry.io/docs/specs/semconv/exceptions/exceptions-spans/
 */
import { EXCEPTION_MESSAGE, EXCEPTION_STACKTRACE } from './attribute-keys.js';
import { sanitizeText } from './sanitize.js';

/** Stack traces are long by nature; they are capped higher than messages (sanitize.ts's default). */
export const MAX_STACKTRACE_LENGTH = 8 * 1024;

/** The exception attributes whose texts are sanitized; the others travel as they are. */
const EXCEPTION_TEXT_KEYS = [EXCEPTION_MESSAGE, EXCEPTION_STACKTRACE] as const;

export function sanitizeExceptionMessage(message: string): string {
  return sanitizeText(message);
}

export function sanitizeExceptionStack(stack: string): string {
  return sanitizeText(stack, MAX_STACKTRACE_LENGTH);
}

/**
 * An exception event's attributes with their texts sanitized. The same object when they are
 * already clean (sanitizeText is idempotent, so the common case allocates nothing); otherwise a
 * copy made by `copy`, since each caller keeps its own kind of map (null-prototype or plain).
 */
export function sanitizeExceptionAttributes<A extends Record<string, unknown>>(
  attributes: A,
  copy: (original: A) => A,
): A {
  let out: A | undefined;
  for (const key of EXCEPTION_TEXT_KEYS) {
    const value = attributes[key];
    if (typeof value !== 'string') continue;
    const clean = key === EXCEPTION_STACKTRACE ? sanitizeExceptionStack(value) : sanitizeExceptionMessage(value);
    if (clean !== value) ((out ??= copy(attributes)) as Record<string, unknown>)[key] = clean;
  }
  return out ?? attributes;
}

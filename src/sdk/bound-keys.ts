/**
 * The keys a pino logger already binds (its `base` and child bindings). pino writes bindings into
 * every line, so a key written again by a log call or a child would appear twice in the JSON text
 * (and Logs Insights reads only one of them).
 */
import { pino, type Logger } from 'pino';

interface BoundKeys {
  /** pino's serialized bindings the keys were read from; a child or setBindings() changes it. */
  chindings: string;
  keys: ReadonlySet<string>;
}

/**
 * `logger.bindings()` JSON-parses the logger's bindings on every call; a slice's line only needs
 * their keys, which change only when the bindings text does. So the keys are kept per logger and
 * re-read when pino's serialized bindings string is a different one.
 */
const boundKeysByLogger = new WeakMap<Logger, BoundKeys>();

export function boundKeys(logger: Logger): ReadonlySet<string> {
  const chindings: unknown = (logger as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym];
  const cached = boundKeysByLogger.get(logger);
  if (cached && typeof chindings === 'string' && cached.chindings === chindings) return cached.keys;
  const keys = new Set(Object.keys(logger.bindings()));
  if (typeof chindings === 'string') boundKeysByLogger.set(logger, { chindings, keys });
  return keys;
}

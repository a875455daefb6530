/**
 * The keys a pino logger already binds (its `base` and child bindings). pino writes bindings into
 * every line, so a key written again by a log call or a child would appear twice in the JSON text
 * (and Logs Insights reads only one of them).
 */
import { pino, type Logger } from 'pino';
import { versionedMemo } from '../contract/cache.js';

/** pino's serialized bindings: a child or setBindings() makes a new string. */
function chindingsOf(logger: Logger): string | undefined {
  const chindings: unknown = (logger as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym];
  return typeof chindings === 'string' ? chindings : undefined;
}

/**
 * `logger.bindings()` JSON-parses the logger's bindings on every call; a slice's line only needs
 * their keys, which change only when the bindings text does. So the keys are kept per logger and
 * re-read when pino's serialized bindings string is a different one (cache.ts, versionedMemo).
 */
export const boundKeys: (logger: Logger) => ReadonlySet<string> = versionedMemo(
  chindingsOf,
  (logger): ReadonlySet<string> => new Set(Object.keys(logger.bindings())),
);

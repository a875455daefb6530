/**
 * Writes one summary event through pino as exactly one line. pino adds `level`, `time`, the
 * logger's bindings and `msg` itself; passing them again would produce duplicate keys in the JSON
 * line (and Logs Insights would read only one of them), so they are left out of the object.
 */
import { pino, type Logger } from 'pino';
import type { SummaryEvent } from '../contract/summary-event.js';
import { writingOwnLine } from './own-lines.js';

const PINO_OWN_KEYS: ReadonlySet<string> = new Set(['time', 'level', 'msg']);

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

function boundKeys(logger: Logger): ReadonlySet<string> {
  const chindings: unknown = (logger as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym];
  const cached = boundKeysByLogger.get(logger);
  if (cached && typeof chindings === 'string' && cached.chindings === chindings) return cached.keys;
  const keys = new Set(Object.keys(logger.bindings()));
  if (typeof chindings === 'string') boundKeysByLogger.set(logger, { chindings, keys });
  return keys;
}

export function writeSummaryLine(logger: Logger, event: SummaryEvent): void {
  const bound = boundKeys(logger);
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(event)) {
    if (PINO_OWN_KEYS.has(key) || bound.has(key) || key === '__proto__') continue;
    fields[key] = event[key];
  }
  writingOwnLine(() => logger.info(fields, event.msg));
}

/**
 * Writes one summary event through pino as exactly one line. pino adds `level`, `time`, the
 * logger's bindings and `msg` itself; passing them again would produce duplicate keys in the JSON
 * line (and Logs Insights would read only one of them), so they are left out of the object.
 */
import type { Logger } from 'pino';
import type { SummaryEvent } from '../contract/summary-event.js';
import { writingOwnLine } from './own-lines.js';

const PINO_OWN_KEYS: ReadonlySet<string> = new Set(['time', 'level', 'msg']);

export function writeSummaryLine(logger: Logger, event: SummaryEvent): void {
  const bindings = logger.bindings();
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(event)) {
    if (PINO_OWN_KEYS.has(key) || Object.hasOwn(bindings, key) || key === '__proto__') continue;
    fields[key] = event[key];
  }
  writingOwnLine(() => logger.info(fields, event.msg));
}

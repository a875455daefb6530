/**
 * Writes one summary event through pino as exactly one line. pino adds `level`, `time`, the
 * logger's bindings and `msg` itself; passing them again would produce duplicate keys in the JSON
 * line (and Logs Insights would read only one of them), so they are left out of the object.
 *
 * The line's `time` is the guide's: ISO 8601 with milliseconds, the slice's end (the event's own
 * `time`), whatever the service's logger writes on its other lines. A service's own `pino()` with
 * default options writes epoch milliseconds (`"time":1714000000000`), which the guide's format and
 * schema/summary-event.schema.json refuse. pino takes the time text from the logger's `timeSym`
 * function on each write (lib/proto.js `write`: `const t = this[timeSym]()`), and a child logger is
 * `Object.create(parent)` (lib/proto.js `child`), so an own `timeSym` on one child changes the time
 * of that child's lines only. Summary lines go through such a child, kept per service logger; the
 * service's other lines keep their time. pino.symbols is pino's public export of these keys
 * (https://github.com/pinojs/pino/blob/main/docs/api.md#pinosymbols-object).
 */
import { pino, type Logger } from 'pino';
import type { SummaryEvent } from '../contract/summary-event.js';
import { versionedMemo } from '../contract/cache.js';
import { boundKeys } from './bound-keys.js';
import { writingOwnLine } from './own-lines.js';

const PINO_OWN_KEYS: ReadonlySet<string> = new Set(['time', 'level', 'msg']);

/** The ISO time of the summary line being written; read by the summary child's timestamp. */
let lineTime = '';

/** pino's timestamp contract: the text to insert after `"level":N`, leading comma included. */
function summaryTimestamp(): string {
  return ',"time":"' + lineTime + '"';
}

/**
 * The child of `logger` that writes summary lines. It binds nothing of its own (its bindings text
 * is the parent's) and sets no level, so it keeps following the parent's level through the
 * prototype. Made once per logger, again when the parent's bindings change (setBindings() makes a
 * new serialized bindings string: cache.ts, versionedMemo).
 */
const summaryLogger = versionedMemo(
  (logger: Logger): unknown =>
    (logger as unknown as Record<symbol, unknown>)[(pino.symbols as unknown as Record<string, symbol>).chindingsSym!],
  (logger: Logger): Logger => {
    const child = logger.child({});
    (child as unknown as Record<symbol, unknown>)[(pino.symbols as unknown as Record<string, symbol>).timeSym!] =
      summaryTimestamp;
    return child;
  },
);

/** True when `time` can be put between quotes as it is (validated events hold ISO text). */
function plainTime(time: unknown): time is string {
  return typeof time === 'string' && time.length <= 64 && /^[0-9T:.+\-Z]+$/.test(time);
}

export function writeSummaryLine(logger: Logger, event: SummaryEvent): void {
  const bound = boundKeys(logger);
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(event)) {
    if (PINO_OWN_KEYS.has(key) || bound.has(key) || key === '__proto__') continue;
    fields[key] = event[key];
  }
  // An event time that is not plain ISO text cannot happen (spans-to-event writes it); should it,
  // the line goes out with the logger's own time rather than with broken JSON.
  const ownTime = plainTime(event.time);
  const target = ownTime ? summaryLogger(logger) : logger;
  lineTime = ownTime ? event.time : '';
  try {
    writingOwnLine(() => target.info(fields, event.msg));
  } finally {
    lineTime = '';
  }
}

/**
 * The default service logger: JSON lines on stdout, ISO `time`, numeric `level` (30 for info),
 * `service` and `component` bound on every line (the guide's step-level query reads
 * `context.component` and `trace_id` from all lines), no pid/hostname. The destination is
 * asynchronous so writing a summary line never blocks the event loop; shutdown flushes it.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { isoOfMs } from '../contract/iso-time.js';

/**
 * pino's `timestamp` option giving the same `"time"` text as `pino.stdTimeFunctions.isoTime`
 * without a `Date#toISOString` per line (about 0.7 µs each; see contract/iso-time.ts).
 */
export function isoTimestamp(): string {
  return ',"time":"' + isoOfMs(Date.now()) + '"';
}

/** `destination` defaults to stdout, asynchronous (tests pass an in-memory stream). */
export function createDefaultLogger(service: string, component: string, destination?: DestinationStream): Logger {
  return pino(
    {
      base: { service, component },
      timestamp: isoTimestamp,
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** The parts of pino's asynchronous destination (sonic-boom) that tell whether writes are queued. */
interface AsyncDestination {
  _writing?: unknown;
  _len?: unknown;
  once?: (event: 'drain', listener: () => void) => unknown;
}

/**
 * True while sonic-boom still has lines queued or being written; undefined for other streams.
 * sonic-boom's `flush(cb)` calls back at once when `minLength` is 0 (pino.destination's default),
 * before queued lines reach the fd, so a process that ends right after "flushing" lost them
 * (found by test/unit/reliability/shutdown.test.ts). It emits 'drain' once its queue is empty.
 */
function writesPending(stream: AsyncDestination | undefined): boolean | undefined {
  if (
    !stream ||
    typeof stream._writing !== 'boolean' ||
    typeof stream._len !== 'number' ||
    typeof stream.once !== 'function'
  )
    return undefined;
  return stream._writing || stream._len > 0;
}

/** Flushes the logger's destination; resolves even if the destination cannot flush. */
export function flushLogger(logger: Logger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, AsyncDestination | undefined>)[pino.symbols.streamSym];
  return new Promise((resolve) => {
    try {
      logger.flush((error?: Error) => {
        void error; // a destination that cannot flush (closed stdout) is not the caller's failure
        if (writesPending(stream)) stream!.once!('drain', () => resolve());
        else resolve();
      });
    } catch {
      resolve();
    }
  });
}

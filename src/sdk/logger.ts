/**
 * The default service logger: JSON lines on stdout, ISO `time`, numeric `level` (30 for info),
 * `service` and `component` bound on every line (the guide's step-level query reads
 * `context.component` and `trace_id` from all lines), no pid/hostname. The destination is
 * asynchronous so writing a summary line never blocks the event loop; shutdown flushes it.
 */
import { pino, type Logger } from 'pino';

export function createDefaultLogger(service: string, component: string): Logger {
  return pino(
    {
      base: { service, component },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ dest: 1, sync: false }),
  );
}

/** Flushes the logger's destination; resolves even if the destination cannot flush. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush((error?: Error) => {
        void error; // a destination that cannot flush (closed stdout) is not the caller's failure
        resolve();
      });
    } catch {
      resolve();
    }
  });
}

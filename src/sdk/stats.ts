/** Counters the SDK keeps about itself; `AlakaiTracing.stats()` returns a snapshot. */
import { noticeOnce } from './notice.js';

/** Why a span that was meant for export never reached a collector. */
export type DropReason =
  /** The export queue was full (the collector is slow or unreachable). */
  | 'queueFull'
  /** Its export failed (collector down, refusing, 5xx after retries, timed out). */
  | 'exportFailed'
  /** Shutdown, or the flush at a natural exit, ended (bounded by shutdownTimeoutMs) before it was sent. */
  | 'notSentInTime'
  /** It ended after shutdown(): the export path was closed. */
  | 'afterShutdown'
  /** The process exited (process.exit(), an uncaught error) while it was still queued or in flight. */
  | 'processExit';

export const DROP_REASONS: readonly DropReason[] = [
  'queueFull',
  'exportFailed',
  'notSentInTime',
  'afterShutdown',
  'processExit',
];

export interface TracingStats {
  /** Summary event lines written by the processor. */
  slicesLogged: number;
  /** Spans meant for export that never reached a collector, whatever the reason (sum of `droppedBy`). */
  spansDropped: number;
  /** `spansDropped` by reason. */
  droppedBy: Record<DropReason, number>;
  /** Export calls that failed (collector down, hanging past its timeout, 5xx after retries). */
  exportFailures: number;
}

function zeroByReason(): Record<DropReason, number> {
  return { queueFull: 0, exportFailed: 0, notSentInTime: 0, afterShutdown: 0, processExit: 0 };
}

export class StatsCounter {
  slicesLogged = 0;
  spansDropped = 0;
  exportFailures = 0;
  private readonly droppedBy = zeroByReason();

  /**
   * Counts `n` lost spans. The first loss is said once per process (one stderr line and diag, see
   * notice.ts) with its cause: a down collector must not flood the service's stderr, and further
   * losses are in the counters (the total goes to diag at shutdown). A loss at process exit is
   * said on its own: it is a different mistake (no `await tracing.shutdown()` before exiting)
   * than a collector that is down, and the last chance to hear about it.
   */
  countDropped(n: number, reason: DropReason, why: string): void {
    if (!(n > 0)) return;
    this.spansDropped += n;
    this.droppedBy[reason] += n;
    if (reason === 'processExit') noticeOnce('spans-dropped:exit', `${why} (counted in stats().spansDropped)`);
    else
      noticeOnce(
        'spans-dropped',
        `dropping spans (${why}); further drops are counted silently in stats().spansDropped, total reported at shutdown`,
      );
  }

  snapshot(): TracingStats {
    return {
      slicesLogged: this.slicesLogged,
      spansDropped: this.spansDropped,
      droppedBy: { ...this.droppedBy },
      exportFailures: this.exportFailures,
    };
  }
}

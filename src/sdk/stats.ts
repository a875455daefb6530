/** Counters the SDK keeps about itself; `AlakaiTracing.stats()` returns a snapshot. */
import { diag } from '@opentelemetry/api';

export interface TracingStats {
  /** Summary event lines written by the processor. */
  slicesLogged: number;
  /** Spans that never reached a collector: export queue full, or their export failed. */
  spansDropped: number;
  /** Export calls that failed (collector down, hanging past its timeout, 5xx after retries). */
  exportFailures: number;
}

export class StatsCounter implements TracingStats {
  slicesLogged = 0;
  spansDropped = 0;
  exportFailures = 0;
  private dropReported = false;

  /** Drops are reported once through diag (a down collector must not flood the service's stderr). */
  countDropped(n: number, why: string): void {
    if (n <= 0) return;
    this.spansDropped += n;
    if (this.dropReported) return;
    this.dropReported = true;
    diag.warn(`alakai-otel: dropping spans (${why}); further drops are counted silently, total reported at shutdown`);
  }

  snapshot(): TracingStats {
    return { slicesLogged: this.slicesLogged, spansDropped: this.spansDropped, exportFailures: this.exportFailures };
  }
}

/**
 * In front of a destination that is X-Ray: spans X-Ray would refuse (otlp-transport/xray-limits.ts)
 * are not passed on but counted by reason, in this destination's own `notSent` and in the run's.
 * A backfill that also writes to Jaeger or a file sends those everything; only X-Ray's share is cut.
 */
import type { SpanRecord } from '../../contract/span-record.js';
import { filterForXray } from '../../otlp-transport/xray-limits.js';
import { countInto } from '../report.js';
import type { SpanSink } from './span-sink.js';

export class XrayFilterSink implements SpanSink {
  /** This destination's spans not sent, by reason. */
  readonly notSent: Record<string, number> = Object.create(null) as Record<string, number>;

  constructor(
    private readonly inner: SpanSink,
    /** The run's counters, where every destination's refusals add up. */
    private readonly runNotSent: Record<string, number>,
    private readonly now: () => number = Date.now,
  ) {}

  get spansWritten(): number {
    return this.inner.spansWritten;
  }

  async write(spans: SpanRecord[]): Promise<void> {
    const local: Record<string, number> = {};
    const kept = filterForXray(spans, this.now(), local);
    for (const [reason, n] of Object.entries(local)) {
      countInto(this.notSent, reason, n);
      countInto(this.runNotSent, reason, n);
    }
    if (kept.length > 0) await this.inner.write(kept);
  }

  flush(): Promise<{ outputBytes?: number }> {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

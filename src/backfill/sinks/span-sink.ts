/** Where rebuilt spans go: an OTLP/JSON lines file, an OTLP/HTTP endpoint, or nowhere (--dry-run). */
import type { SpanRecord } from '../../contract/span-record.js';

export interface SpanSink {
  /** One trace's spans. May buffer; awaiting it applies back-pressure. */
  write(spans: SpanRecord[]): Promise<void> | void;
  /**
   * Makes everything written so far durable/acknowledged and returns the position to record in a
   * checkpoint (file: bytes; http: nothing to rewind).
   */
  flush(): Promise<{ outputBytes?: number }>;
  close(): Promise<void>;
  /** Spans acknowledged or written (buffered ones included once flushed). */
  readonly spansWritten: number;
  /** Several destinations: what each one got (the report lists them). */
  destinations?(): DestinationReport[];
}

/** One destination's share of a run, in the closing report. */
export interface DestinationReport {
  name: string;
  spansWritten: number;
  /** Spans this destination was not sent (X-Ray limits), by reason. */
  notSent: Record<string, number>;
}

export class NullSink implements SpanSink {
  spansWritten = 0;
  write(): void {}
  async flush(): Promise<{ outputBytes?: number }> {
    return {};
  }
  async close(): Promise<void> {}
}

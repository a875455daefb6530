/**
 * Several destinations in one run (`--otlp-endpoint` repeated, with `--output`): every trace goes
 * to each in turn, so the slowest one sets the pace (back-pressure, never an unbounded buffer).
 * A destination that fails for good fails the run, which a checkpoint resumes: the spans since the
 * last checkpoint are then sent again to every destination (at least once; Jaeger and X-Ray keep
 * one copy of a span re-sent with the same bytes and ids).
 */
import type { SpanRecord } from '../../contract/span-record.js';
import type { DestinationReport, SpanSink } from './span-sink.js';

export interface Destination {
  /** What the report calls it: the file path, or the endpoint's scheme, host and path. */
  name: string;
  sink: SpanSink;
  /** Its own not-sent counts (an X-Ray destination's), when it keeps any. */
  notSent?: Record<string, number>;
}

export class DestinationsSink implements SpanSink {
  constructor(private readonly list: readonly Destination[]) {
    if (list.length === 0) throw new Error('DestinationsSink needs at least one destination');
  }

  /** The most any destination took (each one's count is in `destinations()`). */
  get spansWritten(): number {
    return Math.max(...this.list.map((d) => d.sink.spansWritten));
  }

  async write(spans: SpanRecord[]): Promise<void> {
    for (const d of this.list) await d.sink.write(spans);
  }

  /** Flushes every destination; the file's byte length (at most one file) is the checkpoint's. */
  async flush(): Promise<{ outputBytes?: number }> {
    let outputBytes: number | undefined;
    for (const d of this.list) {
      const flushed = await d.sink.flush();
      if (flushed.outputBytes !== undefined) outputBytes = flushed.outputBytes;
    }
    return outputBytes === undefined ? {} : { outputBytes };
  }

  /** Closes every destination, even after one failed; the first failure is then thrown. */
  async close(): Promise<void> {
    let failure: unknown;
    let failed = false;
    for (const d of this.list) {
      try {
        await d.sink.close();
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
    if (failed) throw failure;
  }

  destinations(): DestinationReport[] {
    return this.list.map((d) => ({
      name: d.name,
      spansWritten: d.sink.spansWritten,
      notSent: Object.fromEntries(Object.entries(d.notSent ?? {}).sort(([a], [b]) => a.localeCompare(b))),
    }));
  }
}

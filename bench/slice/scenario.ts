/** One way of running the benchmark slice, measured by ./slice-overhead.ts. */
export interface SliceScenario {
  name: string;
  /** Runs one 4-step slice to its end (and its summary line, if the scenario writes one). */
  runSlice(): Promise<void>;
  /**
   * Waits for the work a slice defers (batch export, buffered log writes), so an iteration's time
   * includes it: otherwise a scenario could look cheap by leaving its cost to the next one.
   */
  settle(): Promise<void>;
  /** Spans the scenario's exporter received (a sanity check that the slice really traced). */
  exportedSpans(): number;
  shutdown(): Promise<void>;
}

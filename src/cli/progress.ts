/**
 * A one-line progress display on stderr, only when stderr is a terminal: a pipe or a log file gets
 * nothing (the closing report is what scripts read). Redraws at most ~10 times a second.
 */
export interface ProgressCounts {
  linesRead: number;
  summaryEvents: number;
  traces: number;
  spansWritten: number;
  /** Fetch windows done of all (CloudWatch through Logs Insights). */
  windows?: { done: number; total: number };
}

export class Progress {
  private lastDraw = 0;
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    readonly enabled: boolean = stream.isTTY === true,
  ) {}

  update(counts: ProgressCounts, fraction?: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const seconds = Math.max(0.001, (now - this.started) / 1000);
    const rate = Math.round(counts.linesRead / seconds);
    let bar = '';
    if (fraction !== undefined && Number.isFinite(fraction)) {
      const width = 20;
      const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
      bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
    }
    const windows = counts.windows ? `windows ${counts.windows.done}/${counts.windows.total}, ` : '';
    const text = `${bar}${windows}${counts.linesRead} lines (${rate}/s), ${counts.summaryEvents} events, ${counts.traces} traces, ${counts.spansWritten} spans`;
    const columns = this.stream.columns ?? 100;
    this.stream.write(`\r${text.slice(0, Math.max(10, columns - 1))}\u001b[K`);
    this.drawn = true;
  }

  /** Clears the line so the closing report starts on a clean one. */
  done(): void {
    if (this.enabled && this.drawn) this.stream.write('\r\u001b[K');
    this.drawn = false;
  }
}

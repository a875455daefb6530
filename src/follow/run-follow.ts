/**
 * The loop of `alakai-otel follow` (issue 14):
 *
 *   sources ──lines──▶ assembler.add(line, now) ──release(now)──▶ converter.feedSpans ──▶ destinations
 *                         ▲ a timer at nextDueMs() (unref'd) releases what the hold let go
 *
 * - Every delivery is added and released at once (bridged slices, and legacy slices whose parent
 *   came, go out without waiting); a slice held for its parent goes out when the timer fires.
 * - The converter (sdk/converter/span-converter.ts) is the one bounded queue: spans that do not fit
 *   are dropped and counted, never waited for; the sources are never blocked by a slow collector.
 * - Checkpoint (optional): positions and window are captured together (a delivery is synchronous,
 *   so no line falls between them), then the converter is flushed, and only when every span released
 *   before the capture was taken by every destination is the file replaced. Once a span was lost in
 *   a run (a destination failed it, or the queue dropped it), no later checkpoint of that run is
 *   written: a restart re-sends from the last one that claims only delivered spans (at-least-once;
 *   the re-sent spans are the same bytes, which Jaeger deduplicates).
 * - Stop (a signal, or every source ended): sources stopped, then with a checkpoint the open window
 *   is saved for the next run, without one (or at the input's end) everything held goes out as the
 *   rules decide; the whole shutdown stays within `shutdownTimeoutMs`.
 * - A status line at an interval and a final report carry the same counters.
 */
import type { SpanRecord } from '../contract/span-record.js';
import { withinTimeout } from '../sdk/bounded.js';
import type { ConverterStats } from '../sdk/converter/converter-stats.js';
import { SpanConverter, type SpanDestination } from '../sdk/converter/span-converter.js';
import { saveFollowCheckpoint, type FollowCheckpoint, type FollowCheckpointTotals } from './follow-checkpoint.js';
import type {
  FollowAssemblyCounters,
  FollowLine,
  FollowSource,
  FollowSourceStatus,
  FollowWindowSnapshot,
  SourcePosition,
} from './follow-types.js';

/** What the runner needs of the assembler (follow-assembler.ts's FollowAssembler has it). */
export interface FollowAssemblerPort {
  add(line: FollowLine, nowMs: number): void;
  release(nowMs: number): SpanRecord[][];
  nextDueMs(): number | undefined;
  releaseAll(): SpanRecord[][];
  counters(): FollowAssemblyCounters;
  snapshot(): FollowWindowSnapshot;
}

export interface RunFollowOptions {
  readonly sources: readonly FollowSource[];
  readonly assembler: FollowAssemblerPort;
  readonly destinations: readonly SpanDestination[];
  /** The converter's bound: spans held for the destinations at once. */
  readonly maxQueuedSpans: number;
  /** How long a destination waits for a fuller batch (the converter's linger). */
  readonly lingerMs?: number;
  /** The checkpoint read at start (its positions are where the sources reopen), if any. */
  readonly restored?: FollowCheckpoint;
  readonly checkpoint?: { readonly path: string; readonly intervalMs: number };
  /** 0: no status line. */
  readonly statusIntervalMs: number;
  readonly shutdownTimeoutMs: number;
  /** Aborted by SIGTERM/SIGINT (the CLI wires them). */
  readonly stop: AbortSignal;
  /** Where the status line goes (stderr). */
  readonly status?: (line: string) => void;
  readonly clock?: () => number;
}

export interface FollowCheckpointStats {
  written: number;
  /** Checkpoint instants skipped because the flush before it did not finish within its bound. */
  skippedUnflushed: number;
  /** Set once a span was lost: the checkpoint stays at the last instant that claims only delivered spans. */
  heldSinceLoss: boolean;
  failed: number;
  lastError?: string;
}

export interface FollowResult {
  readonly reason: 'signal' | 'ended';
  readonly assembly: FollowAssemblyCounters;
  readonly converter: ConverterStats;
  readonly sources: readonly FollowSourceStatus[];
  readonly checkpoint?: FollowCheckpointStats;
  /** Whether the last flush finished within the shutdown bound. */
  readonly flushed: 'done' | 'timeout';
  /** Slices held at the stop and saved in the checkpoint for the next run (not exported by this one). */
  readonly savedHeld: number;
}

/** setTimeout's longest delay (2^31 − 1 ms); a longer one fires at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** The release timer never fires sooner than this after the previous release: no spin on an assembler whose due time is now. */
const MIN_RELEASE_DELAY_MS = 10;

/** Spans that left this run without reaching every destination: failed sends and queue drops. */
export function lostSpans(stats: ConverterStats): number {
  return (
    stats.droppedSpans.queueFull +
    stats.droppedSpans.afterShutdown +
    stats.destinations.reduce((n, d) => n + d.failed + d.notSent, 0)
  );
}

/** Spans every destination took (the smallest count: a span counts once all have it). */
export function exportedEverywhere(stats: ConverterStats): number {
  return stats.destinations.length === 0 ? 0 : Math.min(...stats.destinations.map((d) => d.exported));
}

export class FollowRunner {
  private readonly converter: SpanConverter;
  private readonly clock: () => number;
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;
  private releaseDueAt = Number.POSITIVE_INFINITY;
  private readonly checkpointStats: FollowCheckpointStats | undefined;
  private checkpointRunning: Promise<void> | undefined;
  private stopping = false;
  private totals: FollowCheckpointTotals;

  constructor(private readonly options: RunFollowOptions) {
    this.clock = options.clock ?? Date.now;
    this.converter = new SpanConverter(options.destinations, {
      maxQueuedSpans: options.maxQueuedSpans,
      lingerMs: options.lingerMs ?? 0,
    });
    this.checkpointStats = options.checkpoint
      ? { written: 0, skippedUnflushed: 0, heldSinceLoss: false, failed: 0 }
      : undefined;
    const before = options.restored?.totals;
    this.totals = { runs: (before?.runs ?? 0) + 1, spansExported: before?.spansExported ?? 0 };
  }

  /** Runs until `stop` aborts or every source ended; resolves with the final counters. Never rejects. */
  async run(): Promise<FollowResult> {
    const { options } = this;
    const positions = new Map<string, SourcePosition>();
    for (const s of options.restored?.sources ?? []) positions.set(s.id, s.position);
    for (const source of options.sources) {
      try {
        source.start((lines) => this.onLines(lines), positions.get(source.id));
      } catch (error) {
        // A source promises to report trouble in status(), not to throw; if one does, the others run on.
        options.status?.(`alakai-otel follow: ${source.id.slice(0, 200)}: could not start: ${oneLine(error)}`);
      }
    }
    // The event loop must stay alive while following (sources' and release timers are unref'd).
    const keepAlive = setInterval(() => undefined, MAX_DELAY_MS);
    const statusTimer =
      options.statusIntervalMs > 0 && options.status
        ? setInterval(() => options.status!(this.statusLine()), options.statusIntervalMs)
        : undefined;
    statusTimer?.unref();
    const checkpointTimer = options.checkpoint
      ? setInterval(() => void this.checkpointNow(options.checkpoint!.intervalMs), options.checkpoint.intervalMs)
      : undefined;
    checkpointTimer?.unref();

    const ended = Promise.all(options.sources.map((s) => s.ended)).then(() => 'ended' as const);
    const stopped = new Promise<'signal'>((resolve) => {
      if (options.stop.aborted) resolve('signal');
      else options.stop.addEventListener('abort', () => resolve('signal'), { once: true });
    });
    const reason = await Promise.race([ended, stopped]);
    if (statusTimer) clearInterval(statusTimer);
    if (checkpointTimer) clearInterval(checkpointTimer);
    try {
      return await this.shutdown(reason);
    } finally {
      // Only now: the shutdown's own waits use unref'd timers, and must not be cut short by an empty loop.
      clearInterval(keepAlive);
    }
  }

  /** The status line now (also what the final report is made of). */
  statusLine(): string {
    return formatStatusLine(
      this.options.assembler.counters(),
      this.converter.stats(),
      this.sourceStatuses(),
      this.checkpointStats,
    );
  }

  private sourceStatuses(): FollowSourceStatus[] {
    return this.options.sources.map((s) => {
      try {
        return s.status();
      } catch (error) {
        return { id: s.id, state: 'retrying', lines: 0, retries: 0, readErrors: 0, lastError: oneLine(error) };
      }
    });
  }

  private onLines(lines: readonly FollowLine[]): void {
    // Even while stopping: a delivered line is covered by the source's position, so it must reach
    // the window (and the checkpoint) or the next run would skip it.
    const { assembler } = this.options;
    for (const line of lines) assembler.add(line, this.clock());
    this.releaseDue();
  }

  /** Hands what is due to the converter and sets the timer for the next due time. */
  private releaseDue(): void {
    const { assembler } = this.options;
    const groups = assembler.release(this.clock());
    if (groups.length > 0) this.converter.feedSpans(groups);
    this.armReleaseTimer();
  }

  private armReleaseTimer(): void {
    const due = this.options.assembler.nextDueMs();
    if (due === undefined || this.stopping) {
      this.clearReleaseTimer();
      return;
    }
    if (this.releaseTimer !== undefined && this.releaseDueAt <= due) return;
    this.clearReleaseTimer();
    this.releaseDueAt = due;
    const delay = Math.min(MAX_DELAY_MS, Math.max(MIN_RELEASE_DELAY_MS, due - this.clock()));
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      this.releaseDueAt = Number.POSITIVE_INFINITY;
      this.releaseDue();
    }, delay);
    this.releaseTimer.unref();
  }

  private clearReleaseTimer(): void {
    if (this.releaseTimer !== undefined) clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    this.releaseDueAt = Number.POSITIVE_INFINITY;
  }

  /** One checkpoint at a time; one that would overlap the running one is left to the next interval. */
  private checkpointNow(flushBoundMs: number): Promise<void> {
    if (this.checkpointRunning) return this.checkpointRunning;
    this.checkpointRunning = this.writeCheckpoint(flushBoundMs).finally(() => (this.checkpointRunning = undefined));
    return this.checkpointRunning;
  }

  private async writeCheckpoint(flushBoundMs: number): Promise<void> {
    const stats = this.checkpointStats;
    const target = this.options.checkpoint;
    if (!stats || !target || stats.heldSinceLoss) return;
    // Positions and window at one instant: every span the window calls released is in the converter by now.
    const sources = this.options.sources.map((s) => ({ id: s.id, position: s.position() }));
    const window = this.options.assembler.snapshot();
    const flushed = await this.converter.flush(flushBoundMs);
    const after = this.converter.stats();
    if (lostSpans(after) > 0) {
      stats.heldSinceLoss = true;
      return;
    }
    if (flushed === 'timeout') {
      stats.skippedUnflushed++;
      return;
    }
    const totals = {
      runs: this.totals.runs,
      spansExported: (this.options.restored?.totals.spansExported ?? 0) + exportedEverywhere(after),
    };
    try {
      await saveFollowCheckpoint(target.path, {
        sources,
        window,
        totals,
        updatedAt: new Date(this.clock()).toISOString(),
      });
      this.totals = totals;
      stats.written++;
    } catch (error) {
      stats.failed++;
      stats.lastError = oneLine(error);
    }
  }

  private async shutdown(reason: 'signal' | 'ended'): Promise<FollowResult> {
    const { options } = this;
    const deadline = Date.now() + Math.max(0, options.shutdownTimeoutMs);
    const left = (): number => Math.max(0, deadline - Date.now());
    // A periodic checkpoint in flight finishes (or gives up) first: two must not race for the file.
    if (this.checkpointRunning) await withinTimeout(this.checkpointRunning, left());
    this.stopping = true;
    this.clearReleaseTimer();
    await withinTimeout(
      Promise.all(
        options.sources.map((s) =>
          Promise.resolve()
            .then(() => s.stop())
            .catch(() => undefined),
        ),
      ),
      left(),
    );
    let savedHeld = 0;
    const due = options.assembler.release(this.clock());
    if (due.length > 0) this.converter.feedSpans(due);
    if (options.checkpoint && reason === 'signal') {
      // The window (held slices included) goes into the checkpoint: the next run releases it.
      savedHeld = options.assembler.counters().held;
    } else {
      const rest = options.assembler.releaseAll();
      if (rest.length > 0) this.converter.feedSpans(rest);
    }
    if (options.checkpoint) await this.writeCheckpoint(left());
    const flushed = await this.converter.flush(left());
    const converter = await this.converter.shutdown(left());
    return {
      reason,
      assembly: options.assembler.counters(),
      converter,
      sources: this.sourceStatuses(),
      ...(this.checkpointStats ? { checkpoint: { ...this.checkpointStats } } : {}),
      flushed,
      savedHeld,
    };
  }
}

export function runFollow(options: RunFollowOptions): Promise<FollowResult> {
  return new FollowRunner(options).run();
}

function oneLine(error: unknown): string {
  return String((error as Error)?.message ?? error)
    .split('\n')[0]!
    .slice(0, 200);
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '–' : `${(ms / 1000).toFixed(1)}s`;
}

/** One source in the status line: `file:/x reading 120 lines lag 0.3s` (+ retries, last trouble). */
export function formatSource(s: FollowSourceStatus): string {
  let text = `${s.id.slice(0, 200)} ${s.state} ${s.lines} lines lag ${seconds(s.lagMs)}`;
  if (s.retries > 0) text += ` retries ${s.retries}`;
  if (s.readErrors > 0) text += ` read errors ${s.readErrors}`;
  if (s.lastError && s.state !== 'reading') text += ` (${s.lastError.slice(0, 200)})`;
  return text;
}

/** Spans the converter could not queue or deliver, and what the assembler's caps dropped. */
function droppedText(a: FollowAssemblyCounters, c: ConverterStats): string {
  return `dropped traces ${a.dropped.openTraceCap} lines ${a.dropped.traceLineCap} spans ${c.droppedSpans.queueFull + c.droppedSpans.afterShutdown}`;
}

export function formatStatusLine(
  a: FollowAssemblyCounters,
  c: ConverterStats,
  sources: readonly FollowSourceStatus[],
  checkpoint: FollowCheckpointStats | undefined,
): string {
  const failed = c.destinations.reduce((n, d) => n + d.failed, 0);
  const parts = [
    `lines ${a.lines}`,
    `spans exported ${exportedEverywhere(c)}`,
    ...(failed > 0 ? [`failed ${failed}`] : []),
    `queued ${c.queued}`,
    `held ${a.held}`,
    `late ${a.late}`,
    droppedText(a, c),
    `open traces ${a.openTraces}`,
  ];
  if (checkpoint?.heldSinceLoss) parts.push('checkpoint held (spans lost since)');
  else if (checkpoint && checkpoint.failed > 0)
    parts.push(`checkpoint failed ${checkpoint.failed} (${checkpoint.lastError ?? ''})`);
  return `alakai-otel follow: ${parts.join(', ')} | ${sources.map(formatSource).join('; ')}`;
}

/** The final report as one JSON-safe object (`--report-json`). */
export function reportObject(result: FollowResult): Record<string, unknown> {
  const c = result.converter;
  return {
    stopped: result.reason,
    lines: result.assembly.lines,
    summaryLines: result.assembly.summaryLines,
    stepLines: result.assembly.stepLines,
    rejected: result.assembly.rejected,
    spansReleased: result.assembly.spansReleased,
    spansExported: exportedEverywhere(c),
    destinations: c.destinations,
    held: result.assembly.held,
    savedHeld: result.savedHeld,
    late: result.assembly.late,
    openTraces: result.assembly.openTraces,
    dropped: {
      ...result.assembly.dropped,
      queueFull: c.droppedSpans.queueFull,
      afterShutdown: c.droppedSpans.afterShutdown,
    },
    flushed: result.flushed,
    ...(result.checkpoint ? { checkpoint: result.checkpoint } : {}),
    sources: result.sources,
  };
}

/** The final report as a readable block (stderr), the counters of the status line and where each span went. */
export function formatReport(result: FollowResult, shutdownTimeoutMs: number): string {
  const a = result.assembly;
  const c = result.converter;
  const rejected = Object.entries(a.rejected)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`);
  const lines = [
    `alakai-otel follow: ${result.reason === 'signal' ? 'stopped' : 'input ended'}`,
    `  lines        ${a.lines} (summary ${a.summaryLines}, step ${a.stepLines}${rejected.length > 0 ? `, rejected: ${rejected.join(', ')}` : ''})`,
    `  spans        released ${a.spansReleased}, exported ${exportedEverywhere(c)}`,
    ...c.destinations.map(
      (d) =>
        `    ${d.name.slice(0, 200)}: exported ${d.exported}, failed ${d.failed}` +
        (d.notSent > 0 ? `, not sent before the ${shutdownTimeoutMs} ms shutdown bound ${d.notSent}` : ''),
    ),
    `  held         ${a.held}${result.savedHeld > 0 ? ` (${result.savedHeld} saved in the checkpoint for the next run)` : ''}`,
    `  late         ${a.late}`,
    `  dropped      open-trace cap ${a.dropped.openTraceCap} traces, line cap ${a.dropped.traceLineCap} lines, queue full ${c.droppedSpans.queueFull} spans`,
    `  open traces  ${a.openTraces}`,
  ];
  const k = result.checkpoint;
  if (k)
    lines.push(
      `  checkpoint   written ${k.written}` +
        (k.heldSinceLoss ? ', held at the last one before spans were lost (a restart re-sends from there)' : '') +
        (k.skippedUnflushed > 0 ? `, skipped ${k.skippedUnflushed} (flush not done in time)` : '') +
        (k.failed > 0 ? `, failed ${k.failed} (${k.lastError ?? ''})` : ''),
    );
  for (const s of result.sources) lines.push(`  source       ${formatSource(s)}`);
  return lines.join('\n') + '\n';
}

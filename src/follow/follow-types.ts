/**
 * The seams of `alakai-otel follow` (issue 14), shared by its three parts so they can be built and
 * tested apart:
 *
 *   FollowSource (sources/) ──lines──▶ FollowAssembler (follow-assembler.ts) ──spans──▶ SpanConverter
 *
 * and run-follow.ts, which wires them, checkpoints, prints the status line and handles signals.
 * Everything here is plain data: a checkpoint is the sources' positions plus the assembler's
 * snapshot, written together at one instant so they describe the same lines.
 */

/** One line as a source delivers it. */
export interface FollowLine {
  /** The log line as the service printed it (a CloudWatch event's message). */
  readonly text: string;
  /** The event's CloudWatch timestamp (epoch ms) when the source has one. */
  readonly timestampMs?: number;
}

/** JSON-safe value a source can be reopened at (what `position()` returned, from a checkpoint). */
export type SourcePosition = {
  readonly [key: string]: string | number | boolean | null | readonly (string | number)[];
};

export type FollowSourceState = 'reading' | 'waiting' | 'retrying' | 'missing' | 'ended';

/** What the status line and the final report say about one source. */
export interface FollowSourceStatus {
  readonly id: string;
  readonly state: FollowSourceState;
  /** Lines delivered since start. */
  readonly lines: number;
  /** How far behind the source is: now − the newest event time (CloudWatch) or the last read (files); undefined before the first read. */
  readonly lagMs?: number;
  /** Retries after throttling or errors, and lines refused while reading (too long, not UTF-8). */
  readonly retries: number;
  readonly readErrors: number;
  /** The last trouble, one line, secrets redacted (for the status line). */
  readonly lastError?: string;
  /**
   * What happened to the source, counted by kind, for the final report: `rotated`, `truncated`,
   * `missing` (spells of absence), `too_large` (lines over the limit), `live_tail_fallback`, …
   */
  readonly incidents?: Readonly<Record<string, number>>;
}

export interface FollowSource {
  /** Stable name for reports and checkpoints (`file:PATH`, `cloudwatch:GROUP`, `cloudwatch-live:GROUPS`, `stdin`). */
  readonly id: string;
  /** false when a position cannot be reopened (stdin: a pipe is not reread); absent means true. */
  readonly resumable?: boolean;
  /**
   * Starts delivering lines to `deliver`, in order, from `position` (restored from a checkpoint)
   * or from the source's start (files: their current end unless told otherwise; CloudWatch: now).
   * `deliver` is called synchronously with each batch, so `position()` read right after it covers
   * exactly the lines delivered so far. Trouble is reported in `status()` and retried, never thrown.
   */
  start(deliver: (lines: readonly FollowLine[]) => void, position?: SourcePosition): void;
  /** Where every line delivered so far ends: reopening here delivers the next line, none twice. */
  position(): SourcePosition;
  status(): FollowSourceStatus;
  /** Resolves when the source can deliver nothing more (stdin at its end); never for tailed files and log groups. */
  readonly ended: Promise<void>;
  /** Stops reading and releases files, timers and connections; lines after it are not delivered. */
  stop(): Promise<void>;
}

/** Counters of the assembler, for the status line and the final report. */
export interface FollowAssemblyCounters {
  lines: number;
  summaryLines: number;
  stepLines: number;
  /** JSON lines without a trace id: someone else's, not an error. */
  ignoredLines: number;
  /** Lines refused (not JSON, a bad field, too large, …), by parse reject reason. */
  rejected: Record<string, number>;
  /** Spans handed out by `release` (to be exported). */
  spansReleased: number;
  /** Legacy slices waiting for their causal parent right now. */
  held: number;
  /**
   * What a batch backfill over the same lines would give differently: spans released whose content
   * differs from their trace's build over all its lines at its close (a slice that went out at its
   * hold without its parent, a step line after its slice went out), plus lines that arrived for a
   * trace already closed (dropped). Deterministic for a given arrival sequence and clock.
   */
  late: number;
  /** Open traces right now, and what the caps dropped (counted, never silent). */
  openTraces: number;
  dropped: { openTraceCap: number; traceLineCap: number };
}

export interface FollowAssemblerOptions {
  /** How long a legacy slice waits for its causal parent before it goes out as the rules decide. */
  holdMs: number;
  /** A trace with no new line for this long is closed and forgotten (the backfill's trace window). */
  traceWindowMs: number;
  maxOpenTraces: number;
  maxLinesPerTrace: number;
  maxLineBytes?: number;
}

/**
 * The open window as a checkpoint keeps it: enough to rebuild the assembler exactly (lines of the
 * open traces with their arrival times, what was released, the counters). JSON-safe.
 */
export type FollowWindowSnapshot = { readonly version: 1; readonly [key: string]: unknown };

/**
 * What every backfill source hands the driver: batches of raw log lines, numbered, with a hint that
 * reopens the source at a batch so a killed run can resume (checkpoint.ts).
 */

/** Where a source can be reopened: every record from `ordinal` on is read again from there. */
export interface ResumeHint {
  /** Number of records before this point (record numbers are per source, from 0). */
  ordinal: number;
  /** Plain files: byte offset of record `ordinal`, so reopening seeks instead of re-reading. */
  byteOffset?: number;
  /** CloudWatch: start of the fetch window holding record `ordinal`. */
  windowStartMs?: number;
  /**
   * S3 (a series of objects read in key order): the object holding record `ordinal`, by its index
   * in the series; with `byteOffset` (a plain object of lines) the record's offset in it, without
   * (gzip or JSON) `ordinal` is the object's first record.
   */
  objectIndex?: number;
}

export interface SourceRecord {
  /** The log line as the service printed it; undefined when the line was refused while reading. */
  text: string | undefined;
  /** Why the line was refused while reading (counted like a parser rejection). */
  readError?: string;
  /** The event's CloudWatch timestamp (epoch ms) when the input carries one (aws CLI output). */
  timestampMs?: number;
}

export interface SourceBatch {
  records: SourceRecord[];
  /** Ordinal of records[0]. */
  firstOrdinal: number;
  /** Reopening here yields records[0] again (or an earlier record of the same window). */
  resume: ResumeHint;
  /**
   * When the source knows it: no record read later will be older than this (CloudWatch windows).
   * Files leave it out and the driver uses the newest line time seen.
   */
  watermarkMs?: number;
  /**
   * The batch closes a fetch window of the source (Logs Insights): the run saves a checkpoint
   * here, so a resumed run reads again at most the window it was in. The FilterLogEvents source
   * does not set it (its 10-minute windows checkpoint by the trace-count / once-a-second rule).
   */
  windowEnd?: boolean;
}

export interface LogSource {
  /** Stable name for reports and checkpoints (`file:PATH`, `cloudwatch:GROUPS`). */
  readonly id: string;
  /** Whether this source can be reopened at a ResumeHint (stdin cannot). */
  readonly resumable: boolean;
  /** Next batch, or undefined at the end. Throws only for errors that end the run. */
  next(): Promise<SourceBatch | undefined>;
  close(): Promise<void>;
}

/** Opens a source, at the start or at a resume hint. */
export type SourceFactory = (resumeAt?: ResumeHint) => Promise<LogSource>;

/** A user error from a source (unreadable file, missing credentials): one line, exit 2. */
export class SourceUserError extends Error {
  override name = 'SourceUserError';
}

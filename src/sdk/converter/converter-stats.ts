/** The counters of the streaming converter (span-converter.ts), as `stats()` returns them. */

/** Why a summary line's spans were not queued for the destinations. */
export type ConverterDropReason =
  /** The queue held its bound (`maxQueuedSpans`): the destinations are slower than the lines come. */
  | 'queueFull'
  /** The line came after `shutdown()`: nothing is sent any more. */
  | 'afterShutdown';

export interface DestinationStats {
  readonly name: string;
  /** Spans the destination took: their `send` returned (or resolved). */
  exported: number;
  /** Spans whose `send` threw (or rejected). */
  failed: number;
  /** Spans still queued or in flight for it when `shutdown()` reached its deadline: never sent. */
  notSent: number;
  /** Spans queued or in flight for it now. */
  pending: number;
}

/**
 * For every destination, at any time: `exported + failed + notSent + pending === spans`. A span
 * dropped before it was queued (`droppedSpans`) is in none of them, and missed by every destination.
 */
export interface ConverterStats {
  /** Lines fed (`feed` calls; a chunk that holds several lines counts once). */
  lines: number;
  /** Summary lines whose spans were queued. */
  summaryLines: number;
  /** Spans queued for the destinations. */
  spans: number;
  /** Lines that carry the summary marker but were refused, by reason (parseLogLine's reasons, `no_spans`). */
  rejected: Record<string, number>;
  /** Summary lines not queued, by reason. */
  droppedLines: Record<ConverterDropReason, number>;
  /** Their spans. A line dropped before it was parsed (`parse: 'soon'`) counts as one span, its slice's. */
  droppedSpans: Record<ConverterDropReason, number>;
  /** What the bound counts now: spans held for some destination, plus lines waiting to be parsed. */
  queued: number;
  destinations: DestinationStats[];
}

export function zeroDrops(): Record<ConverterDropReason, number> {
  return { queueFull: 0, afterShutdown: 0 };
}

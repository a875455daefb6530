/**
 * SummaryEventProcessor: when a slice span ends, writes its summary event (one pino line) built
 * from the slice and the descendant spans that ran under it in this process.
 *
 * State is bounded: at most `maxLiveSlices` open slices and `maxLiveSpans` open descendants are
 * tracked (the oldest is evicted and counted when full), and at most `maxDescendants` finished
 * descendants are kept per slice, so a slice that never ends cannot leak. onEnd only converts
 * and formats; the line's I/O is the logger destination's business (the default is asynchronous).
 * Nothing here throws into the host: errors go to the OTel global error handler.
 */
import { type Context } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import { ALAKAI_EVENT } from '../contract/attribute-keys.js';
import type { SpanRecord } from '../contract/span-record.js';
import { sliceToSummaryEvent } from '../contract/spans-to-event.js';
import { toSpanRecord } from './readable-span.js';
import type { StatsCounter } from './stats.js';
import { writeSummaryLine } from './summary-line.js';
import { noticeOnce } from './notice.js';

export interface SummaryProcessorLimits {
  maxLiveSlices?: number;
  maxLiveSpans?: number;
  maxDescendants?: number;
}

export interface SummaryProcessorCounters {
  /** Open slices forgotten because `maxLiveSlices` were open (they still log when they end, without descendants). */
  evictedSlices: number;
  /** Open descendant spans forgotten because `maxLiveSpans` were open. */
  evictedSpans: number;
  /** Finished descendants beyond `maxDescendants` for one slice. */
  droppedDescendants: number;
  /** Summary lines not written because the logger level is above info (counted, warned once). */
  suppressedLines: number;
}

function isSlice(span: { attributes: Record<string, unknown> }): boolean {
  return typeof span.attributes[ALAKAI_EVENT] === 'string';
}

/**
 * Summary lines are written at info: a logger above it writes none. Said once per process (at
 * setup, and again only if the level was raised later), under one key for both places.
 */
export function noticeLevelSuppresses(logger: Logger): void {
  if (!logger.isLevelEnabled('info'))
    noticeOnce(
      'logger-level',
      `the logger level is "${logger.level}", above info, so summary event lines are suppressed`,
    );
}

export class SummaryEventProcessor implements SpanProcessor {
  /** Open slice span id → the finished descendants recorded for it so far. */
  private readonly liveSlices = new Map<string, SpanRecord[]>();
  /** Open non-slice span id → the span id of the slice it belongs to. */
  private readonly owners = new Map<string, string>();
  private readonly maxLiveSlices: number;
  private readonly maxLiveSpans: number;
  private readonly maxDescendants: number;
  readonly counters: SummaryProcessorCounters = {
    evictedSlices: 0,
    evictedSpans: 0,
    droppedDescendants: 0,
    suppressedLines: 0,
  };

  constructor(
    private readonly logger: Logger,
    private readonly stats: StatsCounter,
    limits: SummaryProcessorLimits = {},
  ) {
    this.maxLiveSlices = limits.maxLiveSlices ?? 10_000;
    this.maxLiveSpans = limits.maxLiveSpans ?? 100_000;
    this.maxDescendants = limits.maxDescendants ?? 1024;
  }

  /** Open slices and open descendants currently tracked (for tests and diagnostics). */
  get liveCounts(): { slices: number; spans: number } {
    return { slices: this.liveSlices.size, spans: this.owners.size };
  }

  onStart(span: Span, _parentContext: Context): void {
    try {
      const spanId = span.spanContext().spanId;
      if (isSlice(span)) {
        if (this.liveSlices.size >= this.maxLiveSlices) this.evictOldestSlice();
        this.liveSlices.set(spanId, []);
        return;
      }
      const parentId = span.parentSpanContext?.spanId;
      if (!parentId) return;
      const owner = this.liveSlices.has(parentId) ? parentId : this.owners.get(parentId);
      if (owner === undefined) return;
      if (this.owners.size >= this.maxLiveSpans) this.evictOldestSpan();
      this.owners.set(spanId, owner);
    } catch (error) {
      globalErrorHandler(error as Error);
    }
  }

  onEnd(span: ReadableSpan): void {
    try {
      const spanId = span.spanContext().spanId;
      if (isSlice(span)) {
        this.endSlice(span, spanId);
        return;
      }
      const owner = this.owners.get(spanId);
      if (owner === undefined) return;
      this.owners.delete(spanId);
      const descendants = this.liveSlices.get(owner);
      if (!descendants) return; // the slice already ended: the span is exported, but not in the summary
      if (descendants.length >= this.maxDescendants) {
        this.counters.droppedDescendants++;
        return;
      }
      descendants.push(toSpanRecord(span));
    } catch (error) {
      globalErrorHandler(error as Error);
    }
  }

  private endSlice(span: ReadableSpan, spanId: string): void {
    const descendants = this.liveSlices.get(spanId) ?? [];
    this.liveSlices.delete(spanId);
    // Checked before building the event: a suppressed line should cost nothing.
    if (!this.logger.isLevelEnabled('info')) {
      this.counters.suppressedLines++;
      noticeLevelSuppresses(this.logger);
      return;
    }
    writeSummaryLine(this.logger, sliceToSummaryEvent(toSpanRecord(span), descendants));
    this.stats.slicesLogged++;
  }

  private evictOldestSlice(): void {
    const oldest = this.liveSlices.keys().next();
    if (oldest.done) return;
    this.liveSlices.delete(oldest.value);
    this.counters.evictedSlices++;
  }

  private evictOldestSpan(): void {
    const oldest = this.owners.keys().next();
    if (oldest.done) return;
    this.owners.delete(oldest.value);
    this.counters.evictedSpans++;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.liveSlices.clear();
    this.owners.clear();
    return Promise.resolve();
  }
}

/**
 * Zero-code mode, for services that already log summary events by hand through pino: the
 * logger's destination stream is teed, and every written line goes to the streaming converter
 * (converter/span-converter.ts: parseLogLine → summaryLineToSpans → one bounded queue → the
 * tracing's export paths), the same one `alakai-otel live` and the pino transport use.
 *
 * - The line reaches the original destination first and unchanged; the tee only looks.
 * - The look is cheap: a substring test for `"[event] ` before any JSON parsing, and the parsing
 *   happens later (the converter's `parse: 'soon'`, setImmediate), off the logging call.
 *   `forceFlush()` and `shutdown()` drain the waiting lines synchronously before they flush the
 *   exporters, so a line logged right before them is exported too.
 * - Bounded: at most MAX_PENDING_LINES lines wait; beyond that, lines are skipped and counted as
 *   dropped spans in `stats()`. So is a summary line logged after shutdown.
 * - Lines the SDK's own processor writes are skipped (those slices are exported live already).
 * - A stream is teed once, however many loggers share it (children, or the pino instrumentation
 *   and `enableZeroCode` both reaching the same logger).
 * - Finding nothing to convert is said once (noticeOnce): a service whose lines never match (no
 *   pino logger seen, or lines that are not summary events, or invalid ones) hears why.
 *
 * Limitation: a legacy line has no span ids, so its span is a root of its own (ids derived from
 * the event); live, there is no cross-service parent. Only the backfill's assembly links an
 * execution's slices into one tree.
 */
import { diag } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import { pino, type Logger } from 'pino';
import type { ConverterStats } from './converter/converter-stats.js';
import { exportPathDestination } from './converter/export-path-destination.js';
import { SpanConverter } from './converter/span-converter.js';
import type { CountingBatchProcessor } from './export-processor.js';
import { exportPathsOf } from './export-registry.js';
import { noticeOnce } from './notice.js';
import { isOwnLineBeingWritten } from './own-lines.js';
import type { StatsCounter } from './stats.js';

export const MAX_PENDING_LINES = 1000;
/** After this many lines through teed loggers without a single summary event, say so. */
export const QUIET_LINES_NOTICE = 10_000;

export interface ZeroCodeCounters {
  /** Summary event lines turned into spans. */
  converted: number;
  /** Lines that looked like summary events but were not valid ones (too long included). */
  rejected: number;
  /** Summary lines not converted: the pending queue was full, or they came after shutdown. */
  skipped: number;
}

export interface ZeroCodeHandle {
  readonly counters: ZeroCodeCounters;
  /** Restores the stream's own write; pending lines are still converted. */
  disable(): void;
  /** Converts the waiting lines now (forceFlush/shutdown do this themselves). */
  drain(): void;
}

type WriteFn = (chunk: unknown, ...rest: unknown[]) => unknown;
interface WritableLike {
  write: WriteFn;
}

function chunkText(chunk: unknown): string | undefined {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array)
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
  return undefined;
}

/** The public counters, read from the converter's stats whenever they are read. */
function countersOf(stats: () => ConverterStats): ZeroCodeCounters {
  const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    get converted() {
      return stats().summaryLines;
    },
    get rejected() {
      return sum(stats().rejected);
    },
    get skipped() {
      return sum(stats().droppedLines);
    },
  };
}

/** Streams already teed, by any converter: a line must never be converted twice. */
const teedStreams = new WeakSet<object>();

export interface ZeroCodeConverterOptions {
  /** `soon` (default): lines are parsed off the logging call. `now`: callers off the service's event loop. */
  parse?: 'now' | 'soon';
}

/**
 * One per AlakaiTracing: the tees (the SDK's logger, loggers the service creates) feed its
 * streaming converter, whose destinations are the tracing's export paths; this class adds what is
 * zero-code's own: the tee, the exit hook and the notices.
 */
export class ZeroCodeConverter {
  readonly counters: ZeroCodeCounters;
  private readonly converter: SpanConverter;
  /** Set by the pino instrumentation (expectServiceLoggers): the service's own loggers are expected. */
  private watchingServiceLoggers = false;
  /** Loggers the service created that the pino instrumentation teed. */
  serviceLoggers = 0;
  private closed = false;
  /** Lines written through teed streams (not the SDK's own), summary or not. */
  private linesSeen = 0;
  private readonly onExit = (): void => this.atExit();
  private exitHooked = false;
  /** Something was teed or fed: only then is finding nothing worth saying. */
  private active = false;

  constructor(
    targets: readonly CountingBatchProcessor[],
    private readonly stats?: StatsCounter,
    options: ZeroCodeConverterOptions = {},
  ) {
    this.converter = new SpanConverter(
      targets.map((target, i) => exportPathDestination(target, `export path ${i + 1}`)),
      {
        maxQueuedSpans: MAX_PENDING_LINES,
        parse: options.parse ?? 'soon',
        onRejected: (reason, detail) => this.sayRejected(detail ? `${reason} (${detail})` : reason),
        onDropped: (reason, spans) =>
          this.stats?.countDropped(
            spans,
            reason,
            reason === 'queueFull'
              ? 'zero-code mode: summary lines logged faster than they are converted'
              : 'zero-code mode: summary line logged after shutdown',
          ),
      },
    );
    this.counters = countersOf(() => this.converter.stats());
  }

  /** The pino instrumentation watches for the service's loggers: none by exit is worth saying. */
  expectServiceLoggers(): void {
    this.watchingServiceLoggers = true;
    this.hookExit();
  }

  /**
   * Tees `stream` (a pino logger's destination). Returns the undo, or undefined when the stream
   * cannot be teed or already is.
   */
  tee(stream: WritableLike | undefined): (() => void) | undefined {
    if (!stream || typeof stream.write !== 'function' || teedStreams.has(stream)) return undefined;
    teedStreams.add(stream);
    this.active = true;
    this.hookExit();
    const hadOwnWrite = Object.hasOwn(stream, 'write');
    const originalWrite = stream.write;
    const look = (chunk: unknown): void => this.look(chunk);
    const teeWrite: WriteFn = function (this: unknown, chunk, ...rest) {
      const result = originalWrite.call(this, chunk, ...rest);
      try {
        look(chunk);
      } catch (error) {
        globalErrorHandler(error as Error); // never let the tee break the service's logging
      }
      return result;
    };
    stream.write = teeWrite;
    return () => {
      if (stream.write !== teeWrite) return;
      if (hadOwnWrite) stream.write = originalWrite;
      else delete (stream as Partial<WritableLike>).write;
      teedStreams.delete(stream);
    };
  }

  /** Converts every waiting line now, synchronously. Never throws. */
  drain(): void {
    this.converter.drain();
  }

  /**
   * One line from a caller that is not a tee (the pino transport, in pino's worker thread, where
   * parsing at once costs the service nothing with `parse: 'now'`). Never throws.
   */
  feedLine(line: string): void {
    this.active = true;
    this.linesSeen++;
    this.converter.feed(line);
  }

  /**
   * Shutdown: the waiting lines are converted into the export paths, synchronously (the paths only
   * queue, so nothing is left for the converter's shutdown to wait for); later summary lines are
   * counted as lost. The export paths are flushed and shut down by their owner.
   */
  close(): void {
    void this.converter.shutdown(0);
    this.closed = true;
    this.unhookExit();
    this.sayIfNothingFound();
  }

  /** The converter's counters (lines, spans, rejected and dropped by reason, per export path). */
  converterStats(): ConverterStats {
    return this.converter.stats();
  }

  private look(chunk: unknown): void {
    if (isOwnLineBeingWritten()) return;
    this.linesSeen++;
    if (this.linesSeen === QUIET_LINES_NOTICE) this.sayIfNothingFound(' so far');
    const text = chunkText(chunk);
    if (text === undefined) return;
    this.converter.feed(text);
  }

  private sayRejected(reason: string): void {
    noticeOnce(
      'zero-code-rejected',
      `zero-code mode: a line logged as a summary event is not a valid one (${reason}); it is not exported, and later ones are not reported`,
    );
  }

  private sayIfNothingFound(soFar = ''): void {
    if (!this.active && !this.watchingServiceLoggers) return;
    const { converted, rejected, skipped } = this.counters;
    if (converted + rejected + skipped > 0 || this.converter.stats().queued > 0) return;
    // A service that runs slices has its lines exported live: zero-code finding none is normal.
    if ((this.stats?.slicesLogged ?? 0) > 0) return;
    let why: string;
    if (this.watchingServiceLoggers && this.serviceLoggers === 0) {
      why =
        'the service created no pino logger after alakai-otel/register loaded (a bundled pino, or a logger made before it, is not seen)';
    } else if (this.linesSeen === 0) {
      why = 'nothing was logged through pino';
    } else {
      why = `${this.linesSeen} lines were logged${soFar}, none of them a summary event (msg "[event] <event> -> <outcome>")`;
    }
    noticeOnce('zero-code-nothing', `zero-code mode found nothing to convert: ${why}`);
  }

  private atExit(): void {
    // 'exit' listeners must be synchronous: nothing can be exported any more, only said.
    const waiting = this.converter.stats().queued;
    if (waiting > 0) {
      noticeOnce(
        'zero-code-exit-pending',
        `zero-code mode: ${waiting} summary line(s) logged just before the process exited were not exported (await tracing.shutdown() before exiting)`,
      );
    }
    this.sayIfNothingFound();
  }

  private hookExit(): void {
    if (this.exitHooked || this.closed) return;
    this.exitHooked = true;
    process.once('exit', this.onExit);
  }

  private unhookExit(): void {
    if (!this.exitHooked) return;
    this.exitHooked = false;
    process.removeListener('exit', this.onExit);
  }
}

const converters = new WeakMap<object, ZeroCodeConverter>();

/** setupAlakaiTracing registers its converter, so tees made later (register entry, enableZeroCode) feed it. */
export function registerZeroCodeConverter(tracing: object, converter: ZeroCodeConverter): void {
  converters.set(tracing, converter);
}

export function zeroCodeConverterOf(tracing: object): ZeroCodeConverter | undefined {
  return converters.get(tracing);
}

/** Tees `logger`'s destination into `tracing`'s export paths. */
export function enableZeroCode(
  logger: Logger,
  tracing: object,
  processors?: readonly CountingBatchProcessor[],
): ZeroCodeHandle {
  let converter = processors ? undefined : zeroCodeConverterOf(tracing);
  if (!converter) {
    const targets = processors ?? exportPathsOf(tracing) ?? [];
    if (targets.length > 0) converter = new ZeroCodeConverter(targets);
  }
  const stream = (logger as unknown as Record<symbol, WritableLike | undefined>)[pino.symbols.streamSym];
  const undo = converter?.tee(stream);
  if (!converter || !undo) {
    if (converter && stream && teedStreams.has(stream)) {
      return { counters: converter.counters, disable() {}, drain: () => converter.drain() }; // teed already
    }
    diag.warn(
      'alakai-otel: zero-code mode needs a pino logger with a stream and an AlakaiTracing instance; not enabled',
    );
    return { counters: converter?.counters ?? { converted: 0, rejected: 0, skipped: 0 }, disable() {}, drain() {} };
  }
  return { counters: converter.counters, disable: undo, drain: () => converter.drain() };
}

/**
 * Zero-code mode, for services that already log summary events by hand through pino: the
 * logger's destination stream is teed, and every written line that is a summary event becomes
 * spans through the same mapping as the backfill (summaryLineToSpans), queued into the exporters.
 *
 * - The line reaches the original destination first and unchanged; the tee only looks.
 * - The look is cheap: a substring prefilter for `"[event] ` before any JSON parsing, and the
 *   parsing happens later (setImmediate), off the logging call. `forceFlush()` and `shutdown()`
 *   drain the waiting lines synchronously before they flush the exporters, so a line logged right
 *   before them is exported too.
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
import { summaryLineToSpans } from '../contract/event-to-spans.js';
import { DEFAULT_MAX_LINE_BYTES } from '../contract/limits.js';
import { parseLogLine } from '../contract/parse.js';
import type { CountingBatchProcessor } from './export-processor.js';
import { exportPathsOf } from './export-registry.js';
import { noticeOnce } from './notice.js';
import { isOwnLineBeingWritten } from './own-lines.js';
import { toReadableSpan } from './record-to-readable.js';
import type { StatsCounter } from './stats.js';

export const MAX_PENDING_LINES = 1000;
/** After this many lines through teed loggers without a single summary event, say so. */
export const QUIET_LINES_NOTICE = 10_000;
const EVENT_MARKER = '"[event] ';

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

/** Streams already teed, by any converter: a line must never be converted twice. */
const teedStreams = new WeakSet<object>();

/**
 * One per AlakaiTracing: the waiting lines, the conversion into the tracing's export paths, the
 * counters and the notices. Tees (the SDK's logger, loggers the service creates) feed it.
 */
export class ZeroCodeConverter {
  readonly counters: ZeroCodeCounters = { converted: 0, rejected: 0, skipped: 0 };
  /** Set by the pino instrumentation (expectServiceLoggers): the service's own loggers are expected. */
  private watchingServiceLoggers = false;
  /** Loggers the service created that the pino instrumentation teed. */
  serviceLoggers = 0;
  private pending: string[] = [];
  private scheduled = false;
  private closed = false;
  /** Lines written through teed streams (not the SDK's own), summary or not. */
  private linesSeen = 0;
  private readonly onExit = (): void => this.atExit();
  private exitHooked = false;
  /** Something was teed or fed: only then is finding nothing worth saying. */
  private active = false;

  constructor(
    private readonly targets: readonly CountingBatchProcessor[],
    private readonly stats?: StatsCounter,
  ) {}

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
    this.scheduled = false;
    const texts = this.pending;
    this.pending = [];
    for (const text of texts) {
      for (const line of text.split('\n')) {
        if (!line.includes(EVENT_MARKER)) continue;
        try {
          this.convert(line);
        } catch (error) {
          this.counters.rejected++;
          globalErrorHandler(error as Error);
        }
      }
    }
  }

  /**
   * Converts one line now, synchronously: for callers off the service's event loop (the pino
   * transport runs in pino's worker thread), where parsing at once costs the service nothing.
   */
  convertLine(line: string): void {
    this.active = true;
    this.linesSeen++;
    if (!line.includes(EVENT_MARKER)) return;
    if (this.closed) return this.countLateLine(line);
    if (line.length > DEFAULT_MAX_LINE_BYTES) return this.reject('too_large');
    try {
      this.convert(line);
    } catch (error) {
      this.counters.rejected++;
      globalErrorHandler(error as Error);
    }
  }

  /** Shutdown: the waiting lines are converted; later summary lines are counted as lost. */
  close(): void {
    this.drain();
    this.closed = true;
    this.unhookExit();
    this.sayIfNothingFound();
  }

  private look(chunk: unknown): void {
    if (isOwnLineBeingWritten()) return;
    this.linesSeen++;
    if (this.linesSeen === QUIET_LINES_NOTICE) this.sayIfNothingFound(' so far');
    const text = chunkText(chunk);
    if (text === undefined || !text.includes(EVENT_MARKER)) return;
    if (this.closed) return this.countLateLine(text);
    // The parser's line limit, checked before a line is queued. `length` counts UTF-16 units, never
    // more than the line's UTF-8 bytes, so a line refused here would be refused by the parser too;
    // the parser's byte check decides the rest.
    if (text.length > DEFAULT_MAX_LINE_BYTES) {
      this.reject('too_large');
      return;
    }
    if (this.pending.length >= MAX_PENDING_LINES) {
      this.counters.skipped++;
      this.stats?.countDropped(1, 'queueFull', 'zero-code mode: summary lines logged faster than they are converted');
      return;
    }
    this.pending.push(text);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private convert(line: string): void {
    const parsed = parseLogLine(line);
    if (parsed.kind !== 'summary') {
      if (parsed.kind === 'rejected')
        this.reject(parsed.detail ? `${parsed.reason} (${parsed.detail})` : parsed.reason);
      return;
    }
    const spans = summaryLineToSpans(parsed);
    if (spans.length === 0) {
      this.reject('no spans');
      return;
    }
    for (const record of spans) {
      const span = toReadableSpan(record);
      for (const target of this.targets) target.enqueue(span);
    }
    this.counters.converted++;
  }

  private reject(reason: string): void {
    this.counters.rejected++;
    noticeOnce(
      'zero-code-rejected',
      `zero-code mode: a line logged as a summary event is not a valid one (${reason}); it is not exported, and later ones are not reported`,
    );
  }

  /** After shutdown nothing is exported: a summary line then is a lost span, and counted. */
  private countLateLine(text: string): void {
    for (const line of text.split('\n')) {
      if (!line.includes(EVENT_MARKER)) continue;
      const parsed = parseLogLine(line);
      if (parsed.kind !== 'summary') continue;
      this.counters.skipped++;
      this.stats?.countDropped(
        summaryLineToSpans(parsed).length,
        'afterShutdown',
        'zero-code mode: summary line logged after shutdown',
      );
    }
  }

  private sayIfNothingFound(soFar = ''): void {
    if (!this.active && !this.watchingServiceLoggers) return;
    const { converted, rejected, skipped } = this.counters;
    if (converted + rejected + skipped > 0 || this.pending.length > 0) return;
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
    const waiting = this.pending.length;
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

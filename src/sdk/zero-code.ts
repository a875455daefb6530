/**
 * Zero-code mode, for services that already log summary events by hand through pino: the
 * logger's destination stream is teed, and every written line that is a summary event becomes
 * spans through the same mapping as the backfill (summaryEventToSpans), queued into the exporters.
 *
 * - The line reaches the original destination first and unchanged; the tee only looks.
 * - The look is cheap: a substring prefilter for `"[event] ` before any JSON parsing, and the
 *   parsing happens later (setImmediate), off the logging call.
 * - Bounded: at most MAX_PENDING_LINES lines wait; beyond that, lines are counted and skipped.
 * - Lines the SDK's own processor writes are skipped (those slices are exported live already).
 *
 * Limitation: a legacy line has no span ids, so its span is a root of its own (ids derived from
 * the event); live, there is no cross-service parent. Only the backfill's assembly links an
 * execution's slices into one tree.
 */
import { diag } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import { pino, type Logger } from 'pino';
import { summaryEventToSpans } from '../contract/event-to-spans.js';
import { parseLogLine } from '../contract/parse.js';
import type { CountingBatchProcessor } from './export-processor.js';
import { exportPathsOf } from './export-registry.js';
import { isOwnLineBeingWritten } from './own-lines.js';
import { toReadableSpan } from './record-to-readable.js';

export const MAX_PENDING_LINES = 1000;
/** CloudWatch Logs events are at most 1 MB; a longer line is not a summary event we can ship. */
export const MAX_LINE_LENGTH = 1024 * 1024;
const EVENT_MARKER = '"[event] ';

export interface ZeroCodeCounters {
  /** Summary event lines turned into spans. */
  converted: number;
  /** Lines that looked like summary events but were not valid ones. */
  rejected: number;
  /** Lines skipped because the pending queue was full or the line too long. */
  skipped: number;
}

export interface ZeroCodeHandle {
  readonly counters: ZeroCodeCounters;
  /** Restores the stream's own write; pending lines are still converted. */
  disable(): void;
}

type WriteFn = (chunk: unknown, ...rest: unknown[]) => unknown;
interface WritableLike {
  write: WriteFn;
}

function chunkText(chunk: unknown): string | undefined {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
  return undefined;
}

export function enableZeroCode(logger: Logger, tracing: object, processors?: readonly CountingBatchProcessor[]): ZeroCodeHandle {
  const counters: ZeroCodeCounters = { converted: 0, rejected: 0, skipped: 0 };
  const targets = processors ?? exportPathsOf(tracing) ?? [];
  const stream = (logger as unknown as Record<symbol, WritableLike | undefined>)[pino.symbols.streamSym];
  if (!stream || typeof stream.write !== 'function' || targets.length === 0) {
    diag.warn('alakai-otel: zero-code mode needs a pino logger with a stream and an AlakaiTracing instance; not enabled');
    return { counters, disable() {} };
  }

  const pending: string[] = [];
  let scheduled = false;

  const convert = (line: string): void => {
    const parsed = parseLogLine(line);
    if (parsed.kind !== 'summary') {
      if (parsed.kind === 'rejected') counters.rejected++;
      return;
    }
    const spans = summaryEventToSpans(parsed.event);
    if (spans.length === 0) {
      counters.rejected++;
      return;
    }
    for (const record of spans) {
      const span = toReadableSpan(record);
      for (const target of targets) target.enqueue(span);
    }
    counters.converted++;
  };

  const drain = (): void => {
    scheduled = false;
    const lines = pending.splice(0, pending.length);
    for (const text of lines) {
      for (const line of text.split('\n')) {
        if (!line.includes(EVENT_MARKER)) continue;
        try {
          convert(line);
        } catch (error) {
          counters.rejected++;
          globalErrorHandler(error as Error);
        }
      }
    }
  };

  const look = (chunk: unknown): void => {
    if (isOwnLineBeingWritten()) return;
    const text = chunkText(chunk);
    if (text === undefined || !text.includes(EVENT_MARKER)) return;
    if (text.length > MAX_LINE_LENGTH || pending.length >= MAX_PENDING_LINES) {
      counters.skipped++;
      return;
    }
    pending.push(text);
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  };

  const hadOwnWrite = Object.hasOwn(stream, 'write');
  const originalWrite = stream.write;
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

  return {
    counters,
    disable() {
      if (stream.write !== teeWrite) return;
      if (hadOwnWrite) stream.write = originalWrite;
      else delete (stream as Partial<WritableLike>).write;
    },
  };
}

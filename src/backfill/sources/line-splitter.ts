/**
 * Bytes → lines, streaming, with exact byte offsets (the checkpoint seeks to them). Works on
 * Buffers and splits on 0x0a, which never occurs inside a UTF-8 multi-byte sequence, so a chunk
 * boundary cannot cut a character in a decoded line. A line longer than the limit is never held
 * in memory: its bytes are dropped as they come and one refused record stands for it.
 */
import type { SourceRecord } from '../source-types.js';

export interface SplitLine extends SourceRecord {
  /** Byte offset of the line's first byte in the stream. */
  offset: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingStart: number;
  private oversized = false;
  private position: number;

  constructor(
    private readonly maxLineBytes: number,
    startOffset = 0,
  ) {
    this.position = startOffset;
    this.pendingStart = startOffset;
  }

  /** Complete lines in `chunk` (with what was carried over); the unfinished tail is kept. */
  push(chunk: Buffer, out: SplitLine[]): void {
    let from = 0;
    const base = this.position;
    this.position += chunk.length;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, from);
      if (nl === -1) break;
      this.finishLine(chunk, from, nl, out);
      from = nl + 1;
      this.pendingStart = base + from;
    }
    if (from < chunk.length) this.carry(chunk.subarray(from));
  }

  /** The last line when the stream does not end with a newline. */
  end(out: SplitLine[]): void {
    if (this.pendingBytes > 0 || this.oversized) this.finishLine(Buffer.alloc(0), 0, 0, out);
  }

  private carry(piece: Buffer): void {
    if (this.oversized) return;
    this.pendingBytes += piece.length;
    if (this.pendingBytes > this.maxLineBytes) {
      this.oversized = true;
      this.pending = [];
      return;
    }
    // Copy: the stream may reuse its chunk buffers.
    this.pending.push(Buffer.from(piece));
  }

  private finishLine(chunk: Buffer, from: number, to: number, out: SplitLine[]): void {
    const offset = this.pendingStart;
    if (this.oversized || this.pendingBytes + (to - from) > this.maxLineBytes) {
      out.push({ text: undefined, readError: 'too_large', offset });
    } else {
      let end = to;
      if (end > from && chunk[end - 1] === CR) end--;
      let text: string;
      if (this.pending.length === 0) {
        text = chunk.toString('utf8', from, end);
      } else {
        const whole = Buffer.concat([...this.pending, chunk.subarray(from, to)]);
        const len = whole.length > 0 && whole[whole.length - 1] === CR ? whole.length - 1 : whole.length;
        text = whole.toString('utf8', 0, len);
      }
      // Blank lines carry nothing; they are not records (the same on every read, so ordinals agree).
      if (text.length > 0 && text.trim().length > 0) out.push({ text, offset });
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.oversized = false;
  }
}

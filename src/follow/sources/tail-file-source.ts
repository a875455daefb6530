/**
 * `follow --input FILE`: a file being appended to, read with `tail -F` semantics.
 *
 * Polled with fs.stat on an unref'd timer rather than fs.watch: Node documents fs.watch as "not
 * 100% consistent across platforms, and unavailable in some situations" (network file systems,
 * some container volumes; https://nodejs.org/api/fs.html#caveats), and a missed event would stall
 * the source silently. A stat every `pollIntervalMs` costs one syscall and never misses.
 *
 * What a poll does, by what the path names now:
 *  - the same file, grown: read the new bytes; complete lines go out, a partial last line waits for
 *    its newline (the LineSplitter of the backfill, with the same line limit);
 *  - the same file, shorter than what was read: TRUNCATED (copytruncate, `> file`): read again
 *    from 0, counted (`truncated`);
 *  - another file (rename rotation: the path now names another inode): the old file's remaining
 *    bytes are read to its end first (its unfinished last line goes out as a line: its writer has
 *    moved on), then the new file is read from 0, counted (`rotated`);
 *  - nothing: state `missing`, polling goes on, and a file that appears is read from 0.
 * A position is {path, dev, ino, offset}: the offset is just after the last newline delivered.
 * Reopened at a position whose inode the path no longer names (rotated while we were stopped),
 * the old file is looked for among its siblings (`app.log.1`, …) by dev+ino and finished first.
 * gzip is refused: a compressed file is not appended to line by line (read it with `backfill`).
 */
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DEFAULT_MAX_LINE_BYTES } from '../../contract/limits.js';
import { startsLikeGzip } from '../../backfill/sources/inflate.js';
import { LineSplitter, type SplitLine } from '../../backfill/sources/line-splitter.js';
import type {
  FollowLine,
  FollowSource,
  FollowSourceState,
  FollowSourceStatus,
  SourcePosition,
} from '../follow-types.js';
import { counted, followLinesOf, oneLine } from './source-status.js';

export interface TailFileOptions {
  /** Read an existing file from its first byte instead of its end (`--from-start`). */
  fromStart?: boolean;
  pollIntervalMs?: number;
  maxLineBytes?: number;
  /** Bytes read at a time (each read is one delivered batch). */
  chunkBytes?: number;
  /** Siblings looked at for a file rotated away while the source was stopped. */
  maxRotatedSiblings?: number;
  clock?: () => number;
}

export const DEFAULT_TAIL_POLL_MS = 250;
const NEWLINE = 0x0a;

interface OpenFile {
  handle: FileHandle;
  dev: string;
  ino: string;
  /** Next byte to read. */
  readAt: number;
  /** Just after the last newline read: where a reopened source starts again. */
  committed: number;
  splitter: LineSplitter;
}

/** The message for a gzip file given to `follow` (the factory says it before starting). */
export function gzipRefusal(path: string): string {
  return `${path} is gzip-compressed: follow tails plain text files as they grow; read it with \`alakai-otel backfill --input ${path}\``;
}

export class TailFileSource implements FollowSource {
  readonly id: string;
  readonly ended: Promise<void> = new Promise<void>(() => undefined);
  private readonly pollMs: number;
  private readonly maxLineBytes: number;
  private readonly chunkBytes: number;
  private readonly clock: () => number;
  private deliver: ((lines: readonly FollowLine[]) => void) | undefined;
  private file: OpenFile | undefined;
  /** What position() says while no file is open (missing, or before the first poll). */
  private idle: { dev: string; ino: string; offset: number } | undefined;
  private state: FollowSourceState = 'reading';
  private lines = 0;
  private retries = 0;
  private readErrors = 0;
  private lastError: string | undefined;
  private caughtUpAt: number | undefined;
  private readonly incidents: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** An existing file is read from its end until the path has been seen empty or a file opened. */
  private fromEnd: boolean;
  /** An inode refused (gzip): not read, not reported again until the path names another. */
  private refusedIno: string | undefined;

  constructor(
    readonly path: string,
    private readonly options: TailFileOptions = {},
  ) {
    this.id = `file:${path}`;
    this.pollMs = Math.max(10, options.pollIntervalMs ?? DEFAULT_TAIL_POLL_MS);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.chunkBytes = Math.max(4096, options.chunkBytes ?? 256 * 1024);
    this.clock = options.clock ?? Date.now;
    this.fromEnd = options.fromStart !== true;
  }

  start(deliver: (lines: readonly FollowLine[]) => void, position?: SourcePosition): void {
    if (this.deliver) throw new Error(`${this.id}: started twice`);
    this.deliver = deliver;
    const p = parsePosition(position, this.path);
    if (p) this.idle = p;
    this.schedule(0);
  }

  position(): SourcePosition {
    const f = this.file;
    if (f) return { path: this.path, dev: f.dev, ino: f.ino, offset: f.committed };
    if (this.idle) return { path: this.path, ...this.idle };
    return { path: this.path, dev: '', ino: '', offset: 0 };
  }

  status(): FollowSourceStatus {
    return {
      id: this.id,
      state: this.state,
      lines: this.lines,
      retries: this.retries,
      readErrors: this.readErrors,
      ...(this.caughtUpAt !== undefined ? { lagMs: Math.max(0, this.clock() - this.caughtUpAt) } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      incidents: { ...this.incidents },
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.file) {
      this.idle = { dev: this.file.dev, ino: this.file.ino, offset: this.file.committed };
      await this.file.handle.close().catch(() => undefined);
      this.file = undefined;
    }
    this.state = 'ended';
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.poll()
        .catch((err: unknown) => this.trouble(err))
        .then((more) => {
          this.running = undefined;
          // A backlog is read on at once (each read awaits, so the event loop is never held).
          this.schedule(more === true ? 0 : this.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  private trouble(err: unknown): void {
    this.retries++;
    this.state = 'retrying';
    this.lastError = oneLine(err);
  }

  /** One look at the path; true when bytes remain to be read right away. */
  private async poll(): Promise<boolean> {
    let st: { dev: string; ino: string; size: number; isFile: boolean } | undefined;
    try {
      const s = await stat(this.path, { bigint: true });
      st = { dev: String(s.dev), ino: String(s.ino), size: Number(s.size), isFile: s.isFile() };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (this.stopped) return false;
    const f = this.file;
    if (f && (!st || st.dev !== f.dev || st.ino !== f.ino)) {
      // Rotated or removed: what was appended to the old file before it went is read first.
      await this.finishOld(f);
      counted(this.incidents, st ? 'rotated' : 'removed');
      if (!st) this.idle = undefined;
    }
    if (!st) {
      // A file that appears from now on is new: all of it is read.
      this.fromEnd = false;
      if (this.state !== 'missing') counted(this.incidents, 'missing');
      this.state = 'missing';
      this.caughtUpAt = undefined;
      return false;
    }
    if (!st.isFile) throw new Error(`${this.path} is not a regular file`);
    if (!this.file) {
      if (this.refusedIno === `${st.dev}:${st.ino}`) return false;
      if (!(await this.openCurrent(st))) return false;
    }
    return this.readNew(st.size);
  }

  /** Opens what the path names now, at the restored position, its end, or 0; false when refused. */
  private async openCurrent(st: { dev: string; ino: string; size: number }): Promise<boolean> {
    const restored = this.idle;
    this.idle = undefined;
    if (restored && restored.ino !== '' && (restored.dev !== st.dev || restored.ino !== st.ino)) {
      // The file we were reading was rotated away while we were stopped: finish it if it is still near.
      await this.finishRotatedAway(restored);
      counted(this.incidents, 'rotated');
    }
    const handle = await open(this.path, 'r');
    try {
      const head = Buffer.alloc(2);
      const { bytesRead } = await handle.read(head, 0, 2, 0);
      if (startsLikeGzip(head.subarray(0, bytesRead))) {
        await handle.close();
        this.refusedIno = `${st.dev}:${st.ino}`;
        this.readErrors++;
        this.state = 'retrying';
        this.lastError = gzipRefusal(this.path);
        return false;
      }
      // Restored: the same file goes on at the position, another one (or one that was missing) is new.
      let offset = 0;
      if (restored) offset = restored.dev === st.dev && restored.ino === st.ino ? restored.offset : 0;
      else if (this.fromEnd) offset = await lineStartBefore(handle, st.size, this.maxLineBytes);
      if (offset > st.size) {
        counted(this.incidents, 'truncated');
        offset = 0;
      }
      this.file = {
        handle,
        dev: st.dev,
        ino: st.ino,
        readAt: offset,
        committed: offset,
        splitter: new LineSplitter(this.maxLineBytes, offset),
      };
      this.refusedIno = undefined;
      this.fromEnd = false;
      return true;
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  /** Reads what was appended since the last read (at most a few chunks per call); true if more remains. */
  private async readNew(size: number): Promise<boolean> {
    const f = this.file!;
    if (size < f.readAt) {
      // Truncated in place: everything in it now is new.
      counted(this.incidents, 'truncated');
      f.readAt = 0;
      f.committed = 0;
      f.splitter = new LineSplitter(this.maxLineBytes, 0);
    }
    for (let reads = 0; reads < 8 && f.readAt < size; reads++) {
      if (!(await this.readChunk(f, size))) break;
    }
    if (f.readAt >= size) {
      this.state = 'waiting';
      this.caughtUpAt = this.clock();
      // Reading works again: an earlier trouble is over (a gzip refusal ends only with another file).
      if (this.refusedIno === undefined) this.lastError = undefined;
      return false;
    }
    this.state = 'reading';
    return true;
  }

  /** One chunk from f.readAt (up to `limit`), split and delivered; false when nothing was read. */
  private async readChunk(f: OpenFile, limit: number): Promise<boolean> {
    const want = Math.min(this.chunkBytes, limit - f.readAt);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await f.handle.read(buf, 0, want, f.readAt);
    if (bytesRead === 0 || this.stopped) return false;
    const chunk = buf.subarray(0, bytesRead);
    const split: SplitLine[] = [];
    f.splitter.push(chunk, split);
    const nl = chunk.lastIndexOf(NEWLINE);
    f.readAt += bytesRead;
    this.emit(split, () => {
      if (nl !== -1) f.committed = f.readAt - bytesRead + nl + 1;
    });
    return true;
  }

  /** Hands lines over, moving the position in the same synchronous step (position() then covers them). */
  private emit(split: readonly SplitLine[], commit: () => void): void {
    const { lines: out, refused } = followLinesOf(split, this.incidents);
    this.readErrors += refused;
    commit();
    if (out.length === 0) return;
    this.lines += out.length;
    this.deliver!(out);
  }

  /** The old file's remaining bytes, its unfinished last line as a line, then closed. */
  private async finishOld(f: OpenFile): Promise<void> {
    try {
      for (;;) {
        const size = (await f.handle.stat()).size;
        if (f.readAt >= size || !(await this.readChunk(f, size))) break;
      }
      const tail: SplitLine[] = [];
      f.splitter.end(tail);
      this.emit(tail, () => undefined);
    } finally {
      await f.handle.close().catch(() => undefined);
      this.file = undefined;
    }
  }

  /** A file rotated away while stopped: found among the path's siblings by dev+ino, read from the position to its end. */
  private async finishRotatedAway(p: { dev: string; ino: string; offset: number }): Promise<void> {
    const dir = dirname(this.path);
    const base = basename(this.path);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    const limit = this.options.maxRotatedSiblings ?? 64;
    const candidates = names.filter((n) => n !== base && n.startsWith(base)).slice(0, limit);
    for (const name of candidates) {
      const full = join(dir, name);
      try {
        const s = await stat(full, { bigint: true });
        if (String(s.dev) !== p.dev || String(s.ino) !== p.ino || !s.isFile()) continue;
        const handle = await open(full, 'r');
        const offset = Math.min(p.offset, Number(s.size));
        await this.finishOld({
          handle,
          dev: p.dev,
          ino: p.ino,
          readAt: offset,
          committed: offset,
          splitter: new LineSplitter(this.maxLineBytes, offset),
        });
        return;
      } catch {
        continue;
      }
    }
    counted(this.incidents, 'rotated_away_unread');
  }
}

/** Where the line holding the file's last byte starts (its end when the file ends with a newline). */
async function lineStartBefore(handle: FileHandle, size: number, maxLineBytes: number): Promise<number> {
  if (size === 0) return 0;
  const span = Math.min(size, maxLineBytes + 1);
  const buf = Buffer.allocUnsafe(span);
  const { bytesRead } = await handle.read(buf, 0, span, size - span);
  const nl = buf.subarray(0, bytesRead).lastIndexOf(NEWLINE);
  // No newline within a line's length: the line is over the limit anyway; start at the end.
  return nl === -1 ? (span === size ? 0 : size) : size - span + nl + 1;
}

function parsePosition(
  position: SourcePosition | undefined,
  path: string,
): { dev: string; ino: string; offset: number } | undefined {
  if (!position) return undefined;
  const { dev, ino, offset } = position;
  if (position['path'] !== path) return undefined;
  if (typeof dev !== 'string' || typeof ino !== 'string') return undefined;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return undefined;
  return { dev, ino, offset };
}

/**
 * `follow --input -`: lines from stdin (a pipe: `kubectl logs -f … | alakai-otel follow --input -`),
 * split by the backfill's LineSplitter with the same line limit. `ended` resolves at EOF, after the
 * last line (one without a newline included) has gone out.
 *
 * Not resumable: a pipe cannot be reread, so position() only counts what was read, and a restart
 * reads what stdin gives from then on (the runner says so; checkpointed positions are ignored).
 */
import type { Readable } from 'node:stream';
import { DEFAULT_MAX_LINE_BYTES } from '../../contract/limits.js';
import { LineSplitter, type SplitLine } from '../../backfill/sources/line-splitter.js';
import type {
  FollowLine,
  FollowSource,
  FollowSourceState,
  FollowSourceStatus,
  SourcePosition,
} from '../follow-types.js';
import { counted, followLinesOf, oneLine } from './source-status.js';

export interface StdinSourceOptions {
  /** The stream read (process.stdin by default; a PassThrough in tests). */
  stream?: Readable;
  maxLineBytes?: number;
  clock?: () => number;
}

export class StdinSource implements FollowSource {
  readonly id = 'stdin';
  readonly resumable = false;
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;
  private readonly stream: Readable;
  private readonly splitter: LineSplitter;
  private readonly clock: () => number;
  private deliver: ((lines: readonly FollowLine[]) => void) | undefined;
  private state: FollowSourceState = 'waiting';
  private lines = 0;
  private bytes = 0;
  private readErrors = 0;
  private lastError: string | undefined;
  private lastReadAt: number | undefined;
  private readonly incidents: Record<string, number> = {};
  private stopped = false;
  private readonly onData = (chunk: Buffer | string): void => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.bytes += buf.length;
    this.lastReadAt = this.clock();
    this.state = 'reading';
    const split: SplitLine[] = [];
    this.splitter.push(buf, split);
    this.emit(split);
    this.state = 'waiting';
  };
  private readonly onEnd = (): void => {
    const split: SplitLine[] = [];
    this.splitter.end(split);
    this.emit(split);
    this.finish();
  };
  private readonly onError = (err: unknown): void => {
    // A broken stdin cannot be retried: what was read stands, the source ends, and the status says why.
    this.lastError = oneLine(err);
    counted(this.incidents, 'read_error');
    this.finish();
  };

  constructor(options: StdinSourceOptions = {}) {
    this.stream = options.stream ?? process.stdin;
    this.splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    this.clock = options.clock ?? Date.now;
    this.ended = new Promise<void>((resolve) => (this.resolveEnded = resolve));
  }

  /** `position` is ignored: stdin cannot be reopened where an earlier run stopped. */
  start(deliver: (lines: readonly FollowLine[]) => void, _position?: SourcePosition): void {
    if (this.deliver) throw new Error('stdin: started twice');
    this.deliver = deliver;
    this.stream.on('data', this.onData);
    this.stream.once('end', this.onEnd);
    this.stream.once('error', this.onError);
  }

  /** What was read, for the report; `resumable: false` tells the runner not to reopen here. */
  position(): SourcePosition {
    return { resumable: false, bytes: this.bytes, lines: this.lines };
  }

  status(): FollowSourceStatus {
    return {
      id: this.id,
      state: this.state,
      lines: this.lines,
      retries: 0,
      readErrors: this.readErrors,
      ...(this.lastReadAt !== undefined && this.state !== 'ended'
        ? { lagMs: Math.max(0, this.clock() - this.lastReadAt) }
        : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      incidents: { ...this.incidents },
    };
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.detach();
    // process.stdin is left open (destroying it can hang a TTY); a stream of our own is released.
    if (this.stream !== process.stdin) this.stream.destroy();
    else this.stream.pause();
    this.finish();
    return Promise.resolve();
  }

  private emit(split: readonly SplitLine[]): void {
    if (this.stopped) return;
    const { lines: out, refused } = followLinesOf(split, this.incidents);
    this.readErrors += refused;
    if (out.length === 0) return;
    this.lines += out.length;
    this.deliver!(out);
  }

  private detach(): void {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('error', this.onError);
  }

  private finish(): void {
    if (this.state === 'ended') return;
    this.detach();
    this.state = 'ended';
    this.resolveEnded();
  }
}

/**
 * Log lines from a file or stdin (`-`), in any format record-stream.ts reads (NDJSON, export-task
 * lines, aws CLI JSON, subscription envelopes), gzip or not (inflate.ts, by the magic number).
 * Streamed chunk by chunk (a 1 GB file never sits in memory); plain line files resume by seeking
 * to a byte offset, gzip, stdin and the JSON forms by re-reading and skipping.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DEFAULT_MAX_LINE_BYTES } from '../../contract/limits.js';
import { type LogSource, type ResumeHint, type SourceBatch, SourceUserError } from '../source-types.js';
import { inflated, startsLikeGzip } from './inflate.js';
import { RecordStream, type StreamRecord } from './record-stream.js';

export interface FileSourceOptions {
  maxLineBytes?: number;
  /**
   * One element of an aws-cli document is held at a time; a larger one is a refused record. JSON
   * escaping can make a message's element several times the line (`\u0001` is 6 bytes for 1).
   */
  awsElementMaxBytes?: number;
  /** Chunk size read at a time (each chunk becomes one batch). */
  chunkBytes?: number;
  /** stdin stand-in for tests. */
  stdin?: Readable;
  /** An aws-cli document says it holds only part of its results (a NextToken, a query not Complete). */
  onPartial?: (source: string, message: string) => void;
  /** Where the format names a line's log group (envelopes, query rows): only these groups. */
  logGroups?: ReadonlySet<string>;
}

export const DEFAULT_AWS_ELEMENT_MAX_BYTES = 8 * 1024 * 1024;
export function userError(path: string, err: unknown): SourceUserError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory'
          : String((err as Error)?.message ?? err).split('\n')[0];
  return new SourceUserError(`cannot read ${path}: ${why}`);
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return startsLikeGzip(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

export async function openFileSource(
  path: string,
  resumeAt?: ResumeHint,
  options: FileSourceOptions = {},
): Promise<LogSource> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const awsElementMaxBytes = options.awsElementMaxBytes ?? DEFAULT_AWS_ELEMENT_MAX_BYTES;
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  const isStdin = path === '-';
  let gzip = false;
  if (!isStdin) {
    try {
      const st = await stat(path);
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      gzip = await isGzip(path);
    } catch (err) {
      throw userError(path, err);
    }
  }
  const seekable = !isStdin && !gzip;
  const seekTo = seekable && resumeAt?.byteOffset !== undefined ? resumeAt.byteOffset : undefined;
  let stream: Readable;
  if (isStdin) stream = options.stdin ?? process.stdin;
  else stream = createReadStream(path, { start: seekTo ?? 0, highWaterMark: chunkBytes });
  const raw = (async function* () {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer | string>)
        yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    } catch (err) {
      throw userError(isStdin ? 'stdin' : path, err);
    }
  })();
  const id = isStdin ? 'stdin' : `file:${path}`;
  const name = isStdin ? 'stdin' : path;
  const reader = new RecordStream(gzip ? inflated(raw) : raw, {
    name,
    maxLineBytes,
    awsElementMaxBytes,
    ...(options.onPartial ? { onPartial: (message: string) => options.onPartial!(id, message) } : {}),
    ...(options.logGroups ? { logGroups: options.logGroups } : {}),
    ...(seekTo !== undefined ? { startOffset: seekTo } : {}),
  });

  let ordinal = seekTo !== undefined ? resumeAt!.ordinal : 0;
  /** Records before this ordinal were read in an earlier run and are skipped (not re-parsed). */
  const skipBefore = seekTo !== undefined ? 0 : (resumeAt?.ordinal ?? 0);

  function batchOf(read: StreamRecord[]): SourceBatch | undefined {
    const first = ordinal;
    ordinal += read.length;
    const kept = first >= skipBefore ? read : read.slice(Math.min(read.length, skipBefore - first));
    if (kept.length === 0) return undefined;
    const firstOrdinal = ordinal - kept.length;
    const resume: ResumeHint = { ordinal: firstOrdinal };
    if (seekable && reader.isLines && kept[0]!.offset !== undefined) resume.byteOffset = kept[0]!.offset;
    return { records: kept, firstOrdinal, resume };
  }

  async function next(): Promise<SourceBatch | undefined> {
    for (;;) {
      const read = await reader.read();
      if (read === undefined) return undefined;
      const batch = batchOf(read);
      if (batch) return batch;
    }
  }

  return {
    id,
    resumable: !isStdin,
    next,
    close() {
      if (!isStdin) stream.destroy();
      return Promise.resolve();
    },
  };
}

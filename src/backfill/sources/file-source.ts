/**
 * Log lines from a file or stdin (`-`): NDJSON as the services print it, or the JSON the aws CLI
 * prints (aws-cli-json.ts: filter-log-events, `--query 'events[].message'`, get-query-results),
 * told apart from the first bytes; gzip by its magic number. Both are streamed chunk by chunk (a
 * 1 GB file never sits in memory); plain NDJSON files resume by seeking to a byte offset, gzip,
 * stdin and the aws-cli forms by re-reading and skipping.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { DEFAULT_MAX_LINE_BYTES } from '../../contract/limits.js';
import {
  type LogSource,
  type ResumeHint,
  type SourceBatch,
  type SourceRecord,
  SourceUserError,
} from '../source-types.js';
import { AwsCliRecords, looksLikeAwsCliJson } from './aws-cli-json.js';
import { AwsJsonScanner, AwsJsonSyntaxError, type ScannedItem } from './aws-json-scanner.js';
import { LineSplitter, type SplitLine } from './line-splitter.js';

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
}

export const DEFAULT_AWS_ELEMENT_MAX_BYTES = 8 * 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

function userError(path: string, err: unknown): SourceUserError {
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
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
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
  else {
    const raw = createReadStream(path, { start: seekTo ?? 0, highWaterMark: chunkBytes });
    stream = gzip ? raw.pipe(createGunzip({ chunkSize: 64 * 1024 })) : raw;
    // A gunzip error (corrupt file) surfaces through the iterator; the raw stream must not leak.
    if (gzip) raw.on('error', (err) => stream.destroy(err));
  }
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const id = isStdin ? 'stdin' : `file:${path}`;

  let ordinal = seekTo !== undefined ? resumeAt!.ordinal : 0;
  /** Records before this ordinal were read in an earlier run and are skipped (not re-parsed). */
  const skipBefore = seekTo !== undefined ? 0 : (resumeAt?.ordinal ?? 0);
  const splitter = new LineSplitter(maxLineBytes, seekTo ?? 0);
  let mode: 'unknown' | 'ndjson' | 'aws' = seekTo !== undefined ? 'ndjson' : 'unknown';
  const name = isStdin ? 'stdin' : path;
  let scanner: AwsJsonScanner | undefined;
  let awsRecords: AwsCliRecords | undefined;
  let ended = false;

  async function nextChunk(): Promise<Buffer | undefined> {
    try {
      const r = await chunks.next();
      if (r.done) return undefined;
      return typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    } catch (err) {
      throw userError(isStdin ? 'stdin' : path, err);
    }
  }

  /** The records one chunk of an aws-cli document completes (all of them at its end). */
  function awsBatch(chunk: Buffer | undefined): SourceBatch | undefined {
    const items: ScannedItem[] = [];
    const records: SourceRecord[] = [];
    try {
      if (chunk) scanner!.push(chunk, items);
      else scanner!.end();
    } catch (err) {
      if (err instanceof AwsJsonSyntaxError)
        throw new SourceUserError(
          `${name} is not valid JSON: it ${err.message} (neither NDJSON log lines nor aws CLI output)`,
        );
      throw err;
    }
    awsRecords!.add(items, records);
    if (!chunk) awsRecords!.finish();
    const first = ordinal;
    ordinal += records.length;
    const kept = first >= skipBefore ? records : records.slice(Math.min(records.length, skipBefore - first));
    if (kept.length === 0) return undefined;
    const firstOrdinal = ordinal - kept.length;
    return { records: kept, firstOrdinal, resume: { ordinal: firstOrdinal } };
  }

  function ndjsonBatch(lines: SplitLine[]): SourceBatch | undefined {
    const first = ordinal;
    const records: SourceRecord[] = [];
    let resumeOffset: number | undefined;
    for (const line of lines) {
      if (ordinal++ < skipBefore) continue;
      if (resumeOffset === undefined) resumeOffset = line.offset;
      records.push(line);
    }
    if (records.length === 0) return undefined;
    const firstOrdinal = first + (lines.length - records.length);
    const resume: ResumeHint = { ordinal: firstOrdinal };
    if (seekable) resume.byteOffset = resumeOffset!;
    return { records, firstOrdinal, resume };
  }

  async function next(): Promise<SourceBatch | undefined> {
    for (;;) {
      if (ended) return undefined;
      const chunk = await nextChunk();
      if (mode === 'unknown') {
        if (!chunk) return undefined;
        if (looksLikeAwsCliJson(chunk.toString('utf8', 0, Math.min(chunk.length, 4096)))) {
          mode = 'aws';
          scanner = new AwsJsonScanner(awsElementMaxBytes);
          awsRecords = new AwsCliRecords({
            name,
            maxLineBytes,
            ...(options.onPartial ? { onPartial: (message: string) => options.onPartial!(id, message) } : {}),
          });
          // A byte-order mark is not JSON; the CLI does not write one, editors sometimes do.
          const bom = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
          const batch = awsBatch(bom ? chunk.subarray(3) : chunk);
          if (batch) return batch;
          continue;
        }
        mode = 'ndjson';
      }
      if (mode === 'aws') {
        if (!chunk) ended = true;
        const batch = awsBatch(chunk);
        if (batch) return batch;
        continue;
      }
      const lines: SplitLine[] = [];
      if (chunk) splitter.push(chunk, lines);
      else {
        splitter.end(lines);
        ended = true;
      }
      const batch = ndjsonBatch(lines);
      if (batch) return batch;
    }
  }

  return {
    id,
    resumable: !isStdin,
    next,
    async close() {
      if (!isStdin) stream.destroy();
    },
  };
}

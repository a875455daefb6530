/**
 * Log lines from a file or stdin (`-`): NDJSON as the services print it, or the JSON
 * `aws logs filter-log-events` prints, told apart from the first bytes; gzip by its magic number.
 * NDJSON is streamed chunk by chunk (a 1 GB file never sits in memory) and plain files resume by
 * seeking to a byte offset; gzip, stdin and the aws-cli form resume by re-reading and skipping.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { DEFAULT_MAX_LINE_BYTES } from '../../contract/parse.js';
import { type LogSource, type ResumeHint, type SourceBatch, type SourceRecord, SourceUserError } from '../source-types.js';
import { looksLikeAwsCliJson, parseAwsCliJson } from './aws-cli-json.js';
import { LineSplitter, type SplitLine } from './line-splitter.js';

export interface FileSourceOptions {
  maxLineBytes?: number;
  /** The aws-cli form is one JSON document parsed whole: refuse larger files with a clear error. */
  awsJsonMaxBytes?: number;
  /** Chunk size read at a time (each chunk becomes one batch). */
  chunkBytes?: number;
  /** stdin stand-in for tests. */
  stdin?: Readable;
}

export const DEFAULT_AWS_JSON_MAX_BYTES = 256 * 1024 * 1024;
const AWS_BATCH = 4096;
const GZIP_MAGIC = [0x1f, 0x8b];

function userError(path: string, err: unknown): SourceUserError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String((err as Error)?.message ?? err).split('\n')[0];
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

export async function openFileSource(path: string, resumeAt?: ResumeHint, options: FileSourceOptions = {}): Promise<LogSource> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const awsJsonMaxBytes = options.awsJsonMaxBytes ?? DEFAULT_AWS_JSON_MAX_BYTES;
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  const isStdin = path === '-';
  let gzip = false;
  let size = 0;
  if (!isStdin) {
    try {
      const st = await stat(path);
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      size = st.size;
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
  let awsRecords: SourceRecord[] | undefined;
  let awsIndex = 0;
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

  async function loadAwsDocument(first: Buffer): Promise<void> {
    if (!isStdin && !gzip && size > awsJsonMaxBytes) {
      throw new SourceUserError(`${path}: aws-cli JSON input over ${awsJsonMaxBytes} bytes; convert it to NDJSON first (jq -c '.events[].message | fromjson? // .')`);
    }
    const parts = [first];
    let total = first.length;
    for (let c = await nextChunk(); c; c = await nextChunk()) {
      total += c.length;
      if (total > awsJsonMaxBytes) {
        throw new SourceUserError(`${isStdin ? 'stdin' : path}: aws-cli JSON input over ${awsJsonMaxBytes} bytes; convert it to NDJSON first`);
      }
      parts.push(c);
    }
    const parsed = parseAwsCliJson(Buffer.concat(parts).toString('utf8'));
    if (!parsed.ok) throw new SourceUserError(`${isStdin ? 'stdin' : path} ${parsed.reason}`);
    awsRecords = parsed.records;
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
      if (mode === 'aws') {
        if (awsIndex < skipBefore) awsIndex = Math.min(skipBefore, awsRecords!.length);
        if (awsIndex >= awsRecords!.length) return undefined;
        const records = awsRecords!.slice(awsIndex, awsIndex + AWS_BATCH);
        const batch: SourceBatch = { records, firstOrdinal: awsIndex, resume: { ordinal: awsIndex } };
        awsIndex += records.length;
        return batch;
      }
      if (ended) return undefined;
      const chunk = await nextChunk();
      if (mode === 'unknown') {
        if (!chunk) return undefined;
        if (looksLikeAwsCliJson(chunk.toString('utf8', 0, Math.min(chunk.length, 4096)))) {
          mode = 'aws';
          await loadAwsDocument(chunk);
          continue;
        }
        mode = 'ndjson';
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

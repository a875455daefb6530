/**
 * `--input s3://bucket/prefix`: the objects CloudWatch Logs leaves in S3, read as local files are
 * (record-stream.ts: export-task lines, Firehose's subscription envelopes or extracted messages,
 * NDJSON, aws CLI JSON; gzip or not, per object).
 *
 * - Listing: ListObjectsV2, every page (≤ 1,000 keys each, ContinuationToken), keys in UTF-8
 *   binary order (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html). The
 *   `aws-logs-write-test` object CreateExportTask writes to check its permissions is skipped, so
 *   are zero-byte "folder" keys.
 * - Series: an export task writes `<prefix>/<taskId>/<logStream>/000000.gz, 000001.gz, …`, each
 *   stream's objects in time order and the streams side by side in time
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/S3ExportTasks.html); so each such
 *   folder is one source, and the run reads its sources side by side in time (source-set.ts) as
 *   it does several files. Every other object (Firehose's default keys are
 *   `YYYY/MM/DD/HH/<stream>-…`, in time order) belongs to one series per `s3://` argument, read in
 *   key order.
 * - Streamed, never held whole, and no connection held between reads: each read is one ranged
 *   GetObject of CHUNK_BYTES (`Range`, with `If-Match` on the listed ETag, so an object replaced
 *   mid-read fails the run instead of mixing two versions). A run with hundreds of series open
 *   would otherwise park hundreds of sockets (the SDK's pool has 50) while others wait for one.
 * - Resume: a series reopens at the object a checkpoint names (`objectIndex`), at the line's byte
 *   offset for a plain object of lines, else at the object's start. The listing itself (keys,
 *   sizes, ETags) is part of the run's fingerprint: a prefix that changed is another run.
 * - Credentials, region, endpoint: the AWS default chain and configuration (`AWS_PROFILE`,
 *   `AWS_REGION`, `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, which the SDK reads itself); with a
 *   custom endpoint (moto, MinIO, a proxy) keys are addressed by path, not by bucket host name.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, S3Client, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { DEFAULT_MAX_LINE_BYTES } from '../../contract/limits.js';
import { type LogSource, type ResumeHint, type SourceBatch, SourceUserError } from '../source-types.js';
import { quietAwsSdkNodeVersionWarning } from './aws-sdk-warning.js';
import { classifyAwsError } from './aws-errors.js';
import { DEFAULT_AWS_ELEMENT_MAX_BYTES, type FileSourceOptions } from './file-source.js';
import { inflated, startsLikeGzip } from './inflate.js';
import { RecordStream, type StreamRecord } from './record-stream.js';

export const CHUNK_BYTES = 1024 * 1024;
/** What CreateExportTask writes to test that it may write to the bucket (not log data). */
export const EXPORT_WRITE_TEST_OBJECT = 'aws-logs-write-test';
/** An export task's object name within its stream's folder. */
const EXPORT_OBJECT_NAME = /^\d{6}\.gz$/;
/** More keys than this under one prefix is a mistake (a bucket root), not a backfill. */
const MAX_LISTED_OBJECTS = 1_000_000;

export interface S3Location {
  bucket: string;
  prefix: string;
}

export interface S3Object {
  key: string;
  size: number;
  etag: string | undefined;
}

export interface S3Series {
  /** `s3://bucket/folder/` of an export stream, or the `s3://` argument for the rest. */
  id: string;
  bucket: string;
  objects: S3Object[];
}

export function isS3Url(input: string): boolean {
  return input.startsWith('s3://');
}

/** `s3://bucket[/prefix]` → its parts; a malformed one is a user error. */
export function parseS3Url(url: string): S3Location {
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1);
  // Bucket naming rules: 3–63 characters, lower-case letters, digits, dots, hyphens.
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new SourceUserError(`--input ${JSON.stringify(url.slice(0, 80))} is not s3://BUCKET/PREFIX`);
  return { bucket, prefix };
}

/** The S3 client from the AWS default configuration, or the --region/--profile given. */
export function s3Client(opts: { region?: string; profile?: string } = {}): S3Client {
  quietAwsSdkNodeVersionWarning();
  const customEndpoint = Boolean(process.env['AWS_ENDPOINT_URL_S3'] ?? process.env['AWS_ENDPOINT_URL']);
  return new S3Client({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(customEndpoint ? { forcePathStyle: true } : {}),
  });
}

/** An SDK error's name ('' when it has none). */
function errorName(err: unknown): string {
  const name = (err as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : '';
}

function s3Failure(url: string, err: unknown): Error {
  const name = errorName(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (name === 'NoSuchBucket') return new SourceUserError(`cannot read ${url}: no such bucket`);
  if (name === 'AccessDenied' || status === 403) return new SourceUserError(`cannot read ${url}: access denied`);
  const c = classifyAwsError(err);
  if (c.kind === 'user') return new SourceUserError(c.message);
  // The SDK's message names what failed; its first line only (no stack, no request dump).
  return new Error(
    `S3 ${url}: ${String((err as Error)?.message ?? err)
      .split('\n')[0]!
      .slice(0, 200)}`,
  );
}

function folderOf(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash === -1 ? '' : key.slice(0, slash + 1);
}

/** Every object under `url`, in key order, grouped into series (above). Empty is a user error. */
export async function listS3Series(client: S3Client, url: string): Promise<S3Series[]> {
  const { bucket, prefix } = parseS3Url(url);
  const exportFolders = new Map<string, S3Object[]>();
  const rest: S3Object[] = [];
  let token: string | undefined;
  let listed = 0;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          ...(prefix ? { Prefix: prefix } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
    } catch (err) {
      throw s3Failure(url, err);
    }
    for (const o of page.Contents ?? []) {
      if (typeof o.Key !== 'string') continue;
      if (++listed > MAX_LISTED_OBJECTS)
        throw new SourceUserError(`${url} holds more than ${MAX_LISTED_OBJECTS} objects: give a narrower prefix`);
      const name = o.Key.slice(o.Key.lastIndexOf('/') + 1);
      if (name === EXPORT_WRITE_TEST_OBJECT || name === '' || !o.Size) continue;
      const object: S3Object = { key: o.Key, size: o.Size, etag: o.ETag };
      if (EXPORT_OBJECT_NAME.test(name)) {
        const folder = folderOf(o.Key);
        let objects = exportFolders.get(folder);
        if (!objects) exportFolders.set(folder, (objects = []));
        objects.push(object);
      } else rest.push(object);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const series: S3Series[] = [];
  for (const [folder, objects] of exportFolders) series.push({ id: `s3://${bucket}/${folder}`, bucket, objects });
  if (rest.length > 0) series.push({ id: `s3://${bucket}/${prefix}`, bucket, objects: rest });
  if (series.length === 0) throw new SourceUserError(`${url} holds no objects to read`);
  // Keys come sorted; folders too, by their first key. A stable order keeps checkpoint indexes valid.
  series.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return series;
}

/** The listing's identity for the run's fingerprint: the same keys, sizes and versions. */
export function listingDigest(series: readonly S3Series[]): string {
  const hash = createHash('sha256');
  for (const s of series) {
    hash.update(`${s.id}\n`);
    for (const o of s.objects) hash.update(`${o.key}\u0000${o.size}\u0000${o.etag ?? ''}\n`);
  }
  return hash.digest('hex').slice(0, 32);
}

/** The object's bytes from `start`, one ranged GetObject per chunk. */
async function* objectBytes(
  client: S3Client,
  bucket: string,
  object: S3Object,
  start: number,
  chunkBytes: number,
): AsyncGenerator<Buffer, void, undefined> {
  const url = `s3://${bucket}/${object.key}`;
  for (let from = start; from < object.size; from += chunkBytes) {
    const to = Math.min(object.size, from + chunkBytes) - 1;
    let bytes: Uint8Array;
    try {
      const res = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: object.key,
          Range: `bytes=${from}-${to}`,
          ...(object.etag ? { IfMatch: object.etag } : {}),
        }),
      );
      if (!res.Body) return;
      bytes = await res.Body.transformToByteArray();
    } catch (err) {
      const name = errorName(err);
      if (name === 'PreconditionFailed' || name === 'NoSuchKey')
        throw new Error(`${url} changed or vanished while it was being read (${name}); start the backfill again`, {
          cause: err,
        });
      throw s3Failure(url, err);
    }
    if (bytes.length === 0) return;
    yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}

export interface S3SourceOptions extends Pick<FileSourceOptions, 'maxLineBytes' | 'awsElementMaxBytes' | 'logGroups'> {
  onPartial?: (source: string, message: string) => void;
  chunkBytes?: number;
}

/** One series as a source: its objects one after the other, one record numbering across them. */
export function openS3SeriesSource(
  client: S3Client,
  series: S3Series,
  resumeAt: ResumeHint | undefined,
  options: S3SourceOptions = {},
): LogSource {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const awsElementMaxBytes = options.awsElementMaxBytes ?? DEFAULT_AWS_ELEMENT_MAX_BYTES;
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const resumable = resumeAt?.objectIndex !== undefined && resumeAt.objectIndex < series.objects.length;
  let index = resumable ? resumeAt.objectIndex! : 0;
  let ordinal = resumable ? resumeAt.ordinal : 0;
  /** A checkpoint without an object index (none is written so, but be safe): re-read and skip. */
  const skipBefore = resumable ? 0 : (resumeAt?.ordinal ?? 0);
  let seekTo = resumable ? resumeAt.byteOffset : undefined;
  let current: { reader: RecordStream; gzip: boolean; firstOrdinal: number; index: number } | undefined;

  async function openObject(): Promise<boolean> {
    if (index >= series.objects.length) return false;
    const object = series.objects[index]!;
    const name = `s3://${series.bucket}/${object.key}`;
    const start = seekTo ?? 0;
    const bytes = objectBytes(client, series.bucket, object, start, chunkBytes);
    // gzip or not, from the object's first bytes (a resumed plain object is known to be plain).
    const first = await bytes.next();
    const head = first.done ? Buffer.alloc(0) : first.value;
    const gzip = seekTo === undefined && startsLikeGzip(head);
    const all = (async function* () {
      if (head.length > 0) yield head;
      yield* bytes;
    })();
    current = {
      reader: new RecordStream(gzip ? inflated(all) : all, {
        name,
        maxLineBytes,
        awsElementMaxBytes,
        ...(options.onPartial ? { onPartial: (message: string) => options.onPartial!(series.id, message) } : {}),
        ...(options.logGroups ? { logGroups: options.logGroups } : {}),
        ...(seekTo !== undefined ? { startOffset: seekTo } : {}),
      }),
      gzip,
      firstOrdinal: ordinal,
      index,
    };
    seekTo = undefined;
    index++;
    return true;
  }

  function batchOf(read: StreamRecord[]): SourceBatch | undefined {
    const o = current!;
    const first = ordinal;
    ordinal += read.length;
    const kept = first >= skipBefore ? read : read.slice(Math.min(read.length, skipBefore - first));
    if (kept.length === 0) return undefined;
    const firstOrdinal = ordinal - kept.length;
    const offset = kept[0]!.offset;
    const resume: ResumeHint =
      !o.gzip && o.reader.isLines && offset !== undefined
        ? { ordinal: firstOrdinal, objectIndex: o.index, byteOffset: offset }
        : { ordinal: o.firstOrdinal, objectIndex: o.index };
    return { records: kept, firstOrdinal, resume };
  }

  async function next(): Promise<SourceBatch | undefined> {
    for (;;) {
      if (!current && !(await openObject())) return undefined;
      const read = await current!.reader.read();
      if (read === undefined) {
        current = undefined;
        continue;
      }
      const batch = batchOf(read);
      if (batch) return batch;
    }
  }

  return {
    id: series.id,
    resumable: true,
    next,
    close: () => Promise.resolve(),
  };
}

/**
 * gzip input, inflated as it streams: one gzip file, or several gzip members one after the other
 * (what Firehose writes when it delivers CloudWatch Logs subscription records: each record is
 * already a gzip member; Node's gunzip reads on across members,
 * https://nodejs.org/api/zlib.html#class-zlibgunzip).
 *
 * Hostile or damaged input ends the input with a counted reject instead of ending the run: a
 * truncated or corrupt stream (`bad_gzip`, after the lines before the damage), and a gzip bomb —
 * output more than MAX_INFLATE_RATIO times the compressed bytes once past MIN_BOMB_CHECK_BYTES
 * (`gzip_bomb`). Log text compresses 5–30×; deflate's ceiling is about 1032× (zlib's tech notes,
 * https://www.zlib.net/zlib_tech.html), which only degenerate input approaches. Memory stays
 * bounded either way (the line and element limits apply to the output); the ratio bounds the time.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export const MAX_INFLATE_RATIO = 200;
export const MIN_BOMB_CHECK_BYTES = 64 * 1024 * 1024;
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export function startsLikeGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
}

/** The input was damaged or hostile: what was read before stands, the rest is one reject. */
export class InflateReject extends Error {
  override name = 'InflateReject';
  constructor(readonly reason: 'bad_gzip' | 'gzip_bomb') {
    super(reason);
  }
}

/** Wraps an error of the compressed source itself (a read error, not a gzip one): it ends the run. */
class SourceFailure extends Error {
  constructor(readonly inner: unknown) {
    super('source failed');
  }
}

export interface InflateLimits {
  maxRatio?: number;
  minCheckBytes?: number;
}

/**
 * The inflated bytes of `compressed`. Throws InflateReject for damage or a bomb, and the
 * source's own error unchanged when reading the compressed bytes fails.
 */
export async function* inflated(
  compressed: AsyncIterable<Buffer>,
  limits: InflateLimits = {},
): AsyncGenerator<Buffer, void, undefined> {
  const maxRatio = limits.maxRatio ?? MAX_INFLATE_RATIO;
  const minCheck = limits.minCheckBytes ?? MIN_BOMB_CHECK_BYTES;
  let inBytes = 0;
  let outBytes = 0;
  const counted = (async function* () {
    for await (const chunk of compressed) {
      inBytes += chunk.length;
      yield chunk;
    }
  })();
  const raw = Readable.from(counted, { objectMode: false });
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  raw.on('error', (err) => gunzip.destroy(new SourceFailure(err)));
  raw.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      outBytes += chunk.length;
      if (outBytes > minCheck && outBytes > maxRatio * Math.max(1, inBytes)) throw new InflateReject('gzip_bomb');
      yield chunk;
    }
  } catch (err) {
    if (err instanceof InflateReject) throw err;
    if (err instanceof SourceFailure) throw err.inner;
    // Anything else came from zlib: a truncated or corrupt stream.
    throw new InflateReject('bad_gzip');
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
}

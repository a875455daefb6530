/**
 * `follow --output FILE` appends: a restart keeps every line earlier runs wrote. The one thing it
 * removes is an unfinished last line — bytes after the file's last newline, left by a run killed in
 * the middle of a write. No reader can parse such a line (the Collector's `otlpjsonfile` receiver
 * reads whole lines), and its spans are never claimed by a checkpoint (one is written only after
 * the file is synced past them), so they are re-sent by the restarted run: cutting the fragment
 * loses nothing and keeps "every line is one whole OTLP/JSON request" true. A tail that is not the
 * beginning of such a line (the file was something else) is refused, never cut.
 */
import { open } from 'node:fs/promises';
import { SourceUserError } from '../backfill/source-types.js';

const CHUNK = 64 * 1024;
/** How every line the sinks write begins (encodeOtlpJsonLine). */
const LINE_START = Buffer.from('{"resourceSpans":[');

/** Where appending to `path` starts: just after its last newline (0 for a missing or empty file), and the bytes cut after it. */
export async function appendStart(path: string): Promise<{ bytes: number; cut: number }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { bytes: 0, cut: 0 };
    throw new SourceUserError(`cannot read ${path}: ${code ?? String(err)}`);
  }
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.allocUnsafe(CHUNK);
    let keep = 0;
    // Backwards, a chunk at a time: a whole line is at most a few MiB, the file may be huge.
    for (let end = size; end > 0;) {
      const start = Math.max(0, end - CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, end - start, start);
      const newline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline !== -1) {
        keep = start + newline + 1;
        break;
      }
      end = start;
    }
    if (keep < size) {
      const head = Buffer.alloc(Math.min(LINE_START.length, size - keep));
      await handle.read(head, 0, head.length, keep);
      if (!LINE_START.subarray(0, head.length).equals(head))
        throw new SourceUserError(
          `${path} ends in ${size - keep} bytes that are not an unfinished OTLP/JSON line; refusing to append to it`,
        );
    }
    return { bytes: keep, cut: size - keep };
  } finally {
    await handle.close();
  }
}

/**
 * Writes a page through a temporary file beside it and a rename, so the FILE a user opens is
 * either the old page or the whole new one, never half of it.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writePage(path: string, html: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, html, { encoding: 'utf8', mode: 0o644 });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * Checks every file a command will write (--output, --report, --checkpoint) before it opens
 * anything: none may be one of its inputs (by any path that reaches the same file: relative or
 * absolute, `./x`, a symlink, a hard link), no two may be the same file, and each must be
 * writable where it is. Opening `--output` with 'w' truncates it, so `--output` naming the input
 * would otherwise empty the user's only copy of the logs and then "succeed" with nothing read.
 *
 * A file is identified by device and inode (`stat` follows symlinks, hard links share the inode);
 * a file that does not exist yet by the real path of its directory plus its name.
 */
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { fstatSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './args.js';

export interface OutputPath {
  /** The flag that named it, for the message (`--output`). */
  flag: string;
  path: string;
  /** The file is replaced through a temporary file beside it (the checkpoint): its directory must be writable too. */
  viaTempFile?: boolean;
}

export interface StreamInputs {
  /** stdin is an input (`--input -`, or `live`). */
  stdin?: boolean;
  /** stdout carries output of its own (`live` passes the service's lines through). */
  stdout?: boolean;
}

interface Identity {
  key: string;
  what: string;
}

function inodeKey(st: Stats): string {
  return `inode:${st.dev}:${st.ino}`;
}

function show(path: string): string {
  return JSON.stringify(path.length > 200 ? `${path.slice(0, 199)}…` : path);
}

/** A regular file behind a standard stream (`< file`, `> file`), or undefined. */
function streamFile(fd: number): Stats | undefined {
  try {
    const st = fstatSync(fd);
    return st.isFile() ? st : undefined;
  } catch {
    return undefined;
  }
}

async function inputIdentities(inputs: readonly string[], streams: StreamInputs): Promise<Identity[]> {
  const out: Identity[] = [];
  for (const input of inputs) {
    if (input === '-') continue;
    try {
      const st = await stat(input);
      if (st.isFile()) out.push({ key: inodeKey(st), what: `the input file ${show(input)}` });
    } catch {
      // Unreadable inputs are reported by the source that opens them, with the reason.
    }
  }
  if (streams.stdin || inputs.includes('-')) {
    const st = streamFile(0);
    if (st) out.push({ key: inodeKey(st), what: 'the file on stdin' });
  }
  if (streams.stdout) {
    const st = streamFile(1);
    if (st) out.push({ key: inodeKey(st), what: 'the file on stdout' });
  }
  return out;
}

function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  return code ?? String((err as Error)?.message ?? err).split('\n')[0]!;
}

async function writableDirectory(out: OutputPath, dir: string): Promise<string> {
  const fail = (reason: string): never => {
    throw new UsageError(`${out.flag} ${show(out.path)}: ${reason}`);
  };
  let st: Stats;
  try {
    st = await stat(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(
      code === 'ENOENT'
        ? `directory ${show(dir)} does not exist`
        : code === 'ENOTDIR'
          ? `${show(dir)} is not a directory`
          : `cannot use directory ${show(dir)} (${why(err)})`,
    );
  }
  if (!st.isDirectory()) fail(`${show(dir)} is not a directory`);
  try {
    await access(dir, constants.W_OK);
  } catch (err) {
    fail(`cannot write in directory ${show(dir)} (${why(err)})`);
  }
  return realpath(dir).catch(() => resolve(dir));
}

/** The identity `out` will have once written; throws UsageError (one line naming the path) when it cannot be written. */
async function outputIdentity(out: OutputPath): Promise<string> {
  const fail = (reason: string): never => {
    throw new UsageError(`${out.flag} ${show(out.path)} ${reason}`);
  };
  if (out.path.length === 0 || out.path === '-') fail('is not a file name');
  let st: Stats | undefined;
  try {
    st = await stat(out.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') fail(`cannot be written: a part of its directory path is a file`);
    if (code !== 'ENOENT') fail(`cannot be written (${why(err)})`);
  }
  const dir = dirname(resolve(out.path));
  if (st) {
    if (st.isDirectory()) fail('is a directory');
    if (!st.isFile()) fail('is not a regular file');
    try {
      await access(out.path, constants.W_OK);
    } catch (err) {
      fail(`cannot be written (${why(err)})`);
    }
    if (out.viaTempFile) await writableDirectory(out, dir);
    return inodeKey(st);
  }
  return `path:${join(await writableDirectory(out, dir), basename(resolve(out.path)))}`;
}

/**
 * Refuses (UsageError: one line, exit 2) outputs that are inputs, outputs that are each other, and
 * outputs that cannot be written. Nothing is created or opened for writing here.
 */
export async function checkOutputPaths(
  inputs: readonly string[],
  outputs: readonly OutputPath[],
  streams: StreamInputs = {},
): Promise<void> {
  const taken = await inputIdentities(inputs, streams);
  const claimed: { key: string; out: OutputPath }[] = [];
  for (const out of outputs) {
    const key = await outputIdentity(out);
    const input = taken.find((t) => t.key === key);
    if (input) throw new UsageError(`${out.flag} ${show(out.path)} is ${input.what}; refusing to overwrite an input`);
    const twin = claimed.find((c) => c.key === key);
    if (twin) throw new UsageError(`${twin.out.flag} and ${out.flag} name the same file (${show(out.path)})`);
    claimed.push({ key, out });
  }
}

/**
 * Checkpoint/resume. A checkpoint is written (tmp file + rename, so it is never half-written)
 * only after the sink has made every emitted span durable (file) or acknowledged (OTLP). It holds:
 *  - per source, where to reopen it (the earliest line any still-open trace needs) and how far it
 *    had been read (`readOrdinal`): lines below it are replayed to rebuild open traces, but not
 *    counted again;
 *  - the open trace ids (with the first ordinal each needs per source): during replay only their
 *    lines are taken, so traces already written are not written twice;
 *  - the output byte length (file sink: a resumed run truncates back to it) and the counters.
 * A run killed at any point and started again therefore writes every span exactly once.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, open, unlink } from 'node:fs/promises';
import type { ResumeHint } from './source-types.js';
import { SourceUserError } from './source-types.js';

export const CHECKPOINT_VERSION = 1;

export interface CheckpointSource {
  id: string;
  resume: ResumeHint | null;
  readOrdinal: number;
}

export interface CheckpointState {
  version: number;
  fingerprint: string;
  done: boolean;
  sources: CheckpointSource[];
  openTraces: [string, (number | null)[]][];
  outputBytes: number | null;
  spansWritten: number;
  counters: unknown;
  /** Caller's facts to reuse on resume (the resolved time range of a `--since` run). */
  meta?: unknown;
  updatedAt: string;
}

/** Identity of a run's inputs and output: resuming with different ones would mix two runs. */
export function runFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

function isHint(v: unknown): v is ResumeHint {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as Record<string, unknown>;
  const okNum = (x: unknown): boolean =>
    x === undefined || (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0);
  return (
    typeof h['ordinal'] === 'number' &&
    okNum(h['ordinal']) &&
    okNum(h['byteOffset']) &&
    okNum(h['windowStartMs']) &&
    okNum(h['objectIndex'])
  );
}

/** Loads and checks a checkpoint; undefined when the file does not exist yet (a fresh run). */
export async function loadCheckpoint(path: string, fingerprint: string): Promise<CheckpointState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SourceUserError(`cannot read checkpoint ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new SourceUserError(`checkpoint ${path} is not valid JSON; delete it to start over`);
  }
  const bad = (why: string): never => {
    throw new SourceUserError(`checkpoint ${path} ${why}; delete it to start over`);
  };
  if (typeof raw !== 'object' || raw === null || raw['version'] !== CHECKPOINT_VERSION) bad('has an unknown version');
  if (raw['fingerprint'] !== fingerprint) bad('belongs to a run with other inputs, output or options');
  const sources = raw['sources'];
  if (!Array.isArray(sources)) bad('has no sources');
  const checkedSources: CheckpointSource[] = (sources as unknown[]).map((s) => {
    const o = s as Record<string, unknown>;
    if (
      typeof o?.['id'] !== 'string' ||
      typeof o['readOrdinal'] !== 'number' ||
      (o['resume'] !== null && !isHint(o['resume']))
    )
      bad('has a malformed source');
    return {
      id: o['id'] as string,
      resume: (o['resume'] as ResumeHint | null) ?? null,
      readOrdinal: o['readOrdinal'] as number,
    };
  });
  const open = raw['openTraces'];
  if (!Array.isArray(open)) bad('has no open-trace list');
  const openTraces = (open as unknown[]).filter(
    (e): e is [string, (number | null)[]] => Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]),
  );
  const outputBytes = raw['outputBytes'];
  if (
    outputBytes !== null &&
    (typeof outputBytes !== 'number' || !Number.isSafeInteger(outputBytes) || outputBytes < 0)
  )
    bad('has a bad output length');
  return {
    version: CHECKPOINT_VERSION,
    fingerprint,
    done: raw['done'] === true,
    sources: checkedSources,
    openTraces,
    outputBytes: outputBytes as number | null,
    spansWritten: typeof raw['spansWritten'] === 'number' ? raw['spansWritten'] : 0,
    counters: raw['counters'],
    meta: raw['meta'],
    updatedAt: typeof raw['updatedAt'] === 'string' ? raw['updatedAt'] : '',
  };
}

/** Atomic replace: write a temporary file, sync it, rename it over the checkpoint. */
export async function saveCheckpoint(path: string, state: CheckpointState): Promise<void> {
  await replaceFileAtomically(path, JSON.stringify(state));
}

/**
 * Replaces `path` with `text` so a reader (or a run killed at any instant) sees the old file or the
 * new one, never a mix: a temporary file beside it, synced, renamed over it. Shared by every
 * checkpoint (backfill's, follow's).
 */
export async function replaceFileAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** The `meta` of an existing checkpoint, without checking it (the CLI reads it before a run). */
export async function peekCheckpointMeta(path: string): Promise<unknown> {
  try {
    return (JSON.parse(await readFile(path, 'utf8')) as { meta?: unknown }).meta;
  } catch {
    return undefined;
  }
}

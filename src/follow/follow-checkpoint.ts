/**
 * `follow --checkpoint FILE`: the sources' positions and the assembler's open window, taken at one
 * instant (so they describe the same lines), plus the counters. It is written only once every span
 * released before that instant has been exported (run-follow.ts), through the same atomic replace
 * as backfill's checkpoint (tmp file, fsync, rename): a run killed at any point restarts from a
 * checkpoint that claims nothing it did not deliver, and re-sends at most what came after it.
 *
 * The file is read as hostile input: size-capped, JSON only, hostile keys refused, every position
 * checked against the JSON-safe shape the sources promise; the window is checked by the
 * assembler's own `restore`.
 */
import { readFile, stat } from 'node:fs/promises';
import { replaceFileAtomically } from '../backfill/checkpoint.js';
import { SourceUserError } from '../backfill/source-types.js';
import { HOSTILE_KEYS, isPlainObject } from '../contract/json-safety.js';
import type { FollowWindowSnapshot, SourcePosition } from './follow-types.js';

export const FOLLOW_CHECKPOINT_VERSION = 1;
const KIND = 'alakai-otel follow';
/** A window of the default 200,000 open traces with a few lines each fits well below this. */
export const MAX_FOLLOW_CHECKPOINT_BYTES = 512 * 1024 * 1024;

/** Totals over every run that wrote this checkpoint, up to its instant. */
export interface FollowCheckpointTotals {
  runs: number;
  /** Spans every destination took, up to the checkpoint. */
  spansExported: number;
}

export interface FollowCheckpoint {
  readonly sources: readonly { readonly id: string; readonly position: SourcePosition }[];
  readonly window: FollowWindowSnapshot;
  readonly totals: FollowCheckpointTotals;
  readonly updatedAt: string;
}

function isPositionValue(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  return (
    Array.isArray(v) &&
    v.length <= 1_000_000 &&
    v.every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)))
  );
}

function isPosition(v: unknown): v is SourcePosition {
  if (!isPlainObject(v)) return false;
  return Object.entries(v).every(([key, value]) => !HOSTILE_KEYS.has(key) && isPositionValue(value));
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

/** The checkpoint at `path`; undefined when there is none yet (a first run). Throws SourceUserError on a bad file. */
export async function loadFollowCheckpoint(path: string): Promise<FollowCheckpoint | undefined> {
  const bad = (why: string): never => {
    throw new SourceUserError(`checkpoint ${path} ${why}; delete it to start over`);
  };
  let text: string;
  try {
    const st = await stat(path);
    if (!st.isFile()) bad('is not a regular file');
    if (st.size > MAX_FOLLOW_CHECKPOINT_BYTES) bad(`is larger than ${MAX_FOLLOW_CHECKPOINT_BYTES} bytes`);
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof SourceUserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new SourceUserError(`cannot read checkpoint ${path}: ${code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return bad('is not valid JSON');
  }
  if (!isPlainObject(raw) || raw['kind'] !== KIND) return bad('is not a follow checkpoint');
  if (raw['version'] !== FOLLOW_CHECKPOINT_VERSION) bad('has an unknown version');
  const sources = raw['sources'];
  if (!Array.isArray(sources) || sources.length > 10_000) return bad('has no source list');
  const seen = new Set<string>();
  const checked = sources.map((s: unknown) => {
    if (!isPlainObject(s) || typeof s['id'] !== 'string' || s['id'].length > 4096 || !isPosition(s['position']))
      return bad('has a malformed source position');
    if (seen.has(s['id'])) bad(`names source ${JSON.stringify(s['id'].slice(0, 80))} twice`);
    seen.add(s['id']);
    return { id: s['id'], position: s['position'] };
  });
  const window = raw['window'];
  if (!isPlainObject(window) || window['version'] !== 1) return bad('has no open window');
  const totals = isPlainObject(raw['totals']) ? raw['totals'] : {};
  return {
    sources: checked,
    window: window as FollowWindowSnapshot,
    totals: { runs: count(totals['runs']), spansExported: count(totals['spansExported']) },
    updatedAt: typeof raw['updatedAt'] === 'string' ? raw['updatedAt'].slice(0, 40) : '',
  };
}

export async function saveFollowCheckpoint(path: string, checkpoint: FollowCheckpoint): Promise<void> {
  await replaceFileAtomically(path, JSON.stringify({ kind: KIND, version: FOLLOW_CHECKPOINT_VERSION, ...checkpoint }));
}

/**
 * The run's sources and how far each has been read. Sources are read round the one that is
 * furthest behind (smallest watermark), so several files or log groups advance together and a
 * trace's lines from the three services meet in memory while its window is open. The watermark of
 * the run is the smallest watermark of the sources not yet done.
 */
import type { CheckpointState } from '../checkpoint.js';
import { SourceUserError, type LogSource, type ResumeHint, type SourceFactory } from '../source-types.js';

export interface SourceState {
  id: string;
  source: LogSource;
  done: boolean;
  watermarkMs: number;
  /** Next ordinal to read. */
  readOrdinal: number;
  /** Lines below this ordinal were counted by an earlier run: replayed for open traces only. */
  replayUntil: number;
  lastHint: ResumeHint | undefined;
}

/**
 * Opens every source, at its checkpointed resume point when there is one. Sources opened before a
 * failure are pushed into `into`, so the caller closes them however this ends.
 */
export async function openSources(
  specs: readonly { id: string; open: SourceFactory }[],
  checkpoint: CheckpointState | undefined,
  checkpointPath: string | undefined,
  into: SourceState[],
): Promise<void> {
  for (const [i, spec] of specs.entries()) {
    const saved = checkpoint?.sources[i];
    const source = await spec.open(saved?.resume ?? undefined);
    if (checkpointPath && !source.resumable)
      throw new SourceUserError(`--checkpoint cannot be used with ${source.id} (it cannot be read twice)`);
    into.push({
      id: spec.id,
      source,
      done: false,
      watermarkMs: Number.NEGATIVE_INFINITY,
      readOrdinal: saved?.readOrdinal ?? 0,
      replayUntil: saved?.readOrdinal ?? 0,
      lastHint: saved?.resume ?? undefined,
    });
  }
}

/** Index of the source not yet done that is furthest behind, or -1 when all are done. */
export function furthestBehind(states: readonly SourceState[]): number {
  let pick = -1;
  for (let i = 0; i < states.length; i++) {
    const s = states[i]!;
    if (!s.done && (pick === -1 || s.watermarkMs < states[pick]!.watermarkMs)) pick = i;
  }
  return pick;
}

/** The run's watermark: the smallest of the sources not yet done (+Infinity when all are). */
export function runWatermark(states: readonly SourceState[]): number {
  let watermark = Number.POSITIVE_INFINITY;
  for (const s of states) if (!s.done && s.watermarkMs < watermark) watermark = s.watermarkMs;
  return watermark;
}

export async function closeSources(states: readonly SourceState[]): Promise<void> {
  for (const s of states) await s.source.close().catch(() => undefined);
}

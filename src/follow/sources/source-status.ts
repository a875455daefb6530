/** Small helpers every follow source uses: counted incidents, one-line errors, split lines handed over. */
import { countInto } from '../../backfill/report.js';
import { withoutExportTimestamp } from '../../backfill/sources/export-lines.js';
import type { SplitLine } from '../../backfill/sources/line-splitter.js';
import { sanitizeText } from '../../contract/sanitize.js';
import type { FollowLine } from '../follow-types.js';

/** Counts one incident by reason (rotations, truncations, missing spells, refused lines). */
export function counted(incidents: Record<string, number>, reason: string, n = 1): void {
  countInto(incidents, reason, n);
}

/** An error as the status line shows it: its name and first line, secrets redacted, bounded. */
export function oneLine(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown } | undefined;
  const name = typeof e?.name === 'string' && e.name !== 'Error' ? `${e.name}: ` : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return sanitizeText(`${name}${message.split('\n')[0] ?? ''}`, 300);
}

/**
 * A splitter's lines as a source hands them over (an export file's leading timestamp taken off, as
 * backfill reads them); a line the splitter refused (too long, not UTF-8) is counted by reason
 * in `incidents` and left out. Returns the lines and how many were refused.
 */
export function followLinesOf(
  split: readonly SplitLine[],
  incidents: Record<string, number>,
): { lines: FollowLine[]; refused: number } {
  const lines: FollowLine[] = [];
  let refused = 0;
  for (const line of split) {
    if (line.text === undefined) {
      refused++;
      counted(incidents, line.readError ?? 'refused');
      continue;
    }
    lines.push({ text: withoutExportTimestamp(line.text) });
  }
  return { lines, refused };
}

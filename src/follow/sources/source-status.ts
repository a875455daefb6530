/** Small helpers every follow source uses for its status: counted incidents and one-line errors. */
import { countInto } from '../../backfill/report.js';
import { sanitizeText } from '../../contract/sanitize.js';

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

/**
 * Figures the reliability tests measured (loop delay, memory, counts), for docs/reliability.md.
 * Written only when RELIABILITY_FIGURES names a file: one JSON line per test, appended, so a run
 * of the whole folder leaves one file to read. Nothing is asserted on timings here.
 */
import { appendFileSync } from 'node:fs';

export function recordFigures(test: string, figures: Record<string, unknown>): void {
  const file = process.env.RELIABILITY_FIGURES;
  if (!file) return;
  appendFileSync(file, JSON.stringify({ test, ...figures }) + '\n');
}

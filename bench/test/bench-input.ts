/** The one fixture factory of the bench tests: a small generated input in a fresh cache folder. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEventsFile, type EventsFileInfo } from '../data/generate-events.js';

export async function smallInput(summaryEvents = 1500, seed?: number): Promise<EventsFileInfo> {
  const previous = process.env['ALAKAI_BENCH_CACHE'];
  process.env['ALAKAI_BENCH_CACHE'] = mkdtempSync(join(tmpdir(), 'alakai-bench-test-'));
  try {
    return await ensureEventsFile(summaryEvents, seed);
  } finally {
    if (previous === undefined) delete process.env['ALAKAI_BENCH_CACHE'];
    else process.env['ALAKAI_BENCH_CACHE'] = previous;
  }
}

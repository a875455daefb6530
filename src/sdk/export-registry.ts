/** Which export paths belong to which AlakaiTracing instance (zero-code mode feeds spans into them). */
import type { CountingBatchProcessor } from './export-processor.js';

const paths = new WeakMap<object, readonly CountingBatchProcessor[]>();

export function registerExportPaths(tracing: object, processors: readonly CountingBatchProcessor[]): void {
  paths.set(tracing, processors);
}

export function exportPathsOf(tracing: object): readonly CountingBatchProcessor[] | undefined {
  return paths.get(tracing);
}

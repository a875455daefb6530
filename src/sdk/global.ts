/** The process's AlakaiTracing set up by `--import alakai-otel/register` (undefined when disabled). */
import type { AlakaiTracing } from './setup.js';

let instance: AlakaiTracing | undefined;

export function getAlakaiTracing(): AlakaiTracing | undefined {
  return instance;
}

export function setAlakaiTracing(tracing: AlakaiTracing | undefined): void {
  instance = tracing;
}

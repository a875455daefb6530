/** The process's AlakaiTracing set up by `--import alakai-otel/register` (undefined when disabled). */
import type { AlakaiTracing } from './setup.js';

/**
 * Kept on globalThis, not in a module variable: the package ships an ESM and a CommonJS build, and
 * a process can load both (`node -r alakai-otel/register` with an ESM app, or `--import` with a
 * CommonJS one). Each copy has its own module state, so the instance the register entry set must
 * live where the other copy's `getAlakaiTracing()` finds it. (@opentelemetry/api keeps its globals
 * the same way, under a Symbol.for key.)
 */
const SLOT = Symbol.for('alakai-otel.tracing');

type Holder = { [SLOT]?: AlakaiTracing | undefined };

export function getAlakaiTracing(): AlakaiTracing | undefined {
  return (globalThis as Holder)[SLOT];
}

export function setAlakaiTracing(tracing: AlakaiTracing | undefined): void {
  (globalThis as Holder)[SLOT] = tracing;
}

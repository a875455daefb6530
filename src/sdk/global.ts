/**
 * The process's tracing set up by `--import alakai-otel/register` (undefined when disabled), as far
 * as the modules below setup.ts need it: `slice.logger` falls back to its logger. The whole
 * AlakaiTracing is setup.ts's type, and its public `getAlakaiTracing()` lives there, so that this
 * slot depends on nothing above it (setup → slice → slice-logger → here, and no way back).
 */
import type { Logger } from 'pino';

export interface RegisteredTracing {
  readonly logger: Logger;
}

/**
 * Kept on globalThis, not in a module variable: the package ships an ESM and a CommonJS build, and
 * a process can load both (`node -r alakai-otel/register` with an ESM app, or `--import` with a
 * CommonJS one). Each copy has its own module state, so the instance the register entry set must
 * live where the other copy's `getAlakaiTracing()` finds it. (@opentelemetry/api keeps its globals
 * the same way, under a Symbol.for key.)
 */
const SLOT = Symbol.for('alakai-otel.tracing');

type Holder = { [SLOT]?: RegisteredTracing | undefined };

export function registeredTracing(): RegisteredTracing | undefined {
  return (globalThis as Holder)[SLOT];
}

export function setRegisteredTracing(tracing: RegisteredTracing | undefined): void {
  (globalThis as Holder)[SLOT] = tracing;
}

/**
 * The register entry's zero-code wiring for the service's own pino loggers: the ESM loader hook
 * (so `import pino from 'pino'` in the app is seen) and the pino instrumentation, both installed
 * while `--import alakai-otel/register` runs, i.e. before the app's own imports are resolved.
 */
import { register } from 'node:module';
import { globalErrorHandler } from '@opentelemetry/core';
import { moduleUrl } from './module-url.js';
import { AlakaiPinoInstrumentation } from './pino-instrumentation.js';
import { zeroCodeConverterOf } from './zero-code.js';

/**
 * The loader hook @opentelemetry/instrumentation supports for ESM ("the only currently supported
 * loader hook is `@opentelemetry/instrumentation/hook.mjs`", and bootstrap code is to use
 * `module.register(...)`: https://github.com/open-telemetry/opentelemetry-js/blob/main/doc/esm-support.md).
 * `module.register` is Node ≥ 20.6 (https://nodejs.org/api/module.html#moduleregisterspecifier-parenturl-options),
 * which the `engines` field requires. `data.include` limits interception to pino, so no other
 * module of the app goes through import-in-the-middle's rewriting
 * (https://github.com/nodejs/import-in-the-middle#readme, "include"); it is fixed at registration,
 * so there is no acknowledgement to wait for before the app's imports run.
 */
function installEsmHook(): void {
  // Resolved from this file, so the hook is the one of our own @opentelemetry/instrumentation.
  const parent = moduleUrl();
  if (!parent) throw new Error('alakai-otel: cannot locate its own module to register the ESM loader hook');
  register('@opentelemetry/instrumentation/hook.mjs', parent, { data: { include: ['pino'] } });
}

/** Tees every pino logger the service creates from now on into `tracing`'s zero-code converter. */
export function enableZeroCodeForServiceLoggers(tracing: object): void {
  const converter = zeroCodeConverterOf(tracing);
  if (!converter) return;
  try {
    installEsmHook();
  } catch (error) {
    globalErrorHandler(error as Error); // CommonJS `require('pino')` is still seen without it
  }
  new AlakaiPinoInstrumentation(converter).enable();
}

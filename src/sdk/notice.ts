/**
 * Configuration mistakes and data loss a service owner must hear about: each is said once per
 * process, as one line on stderr, and through `diag` for those who installed a diag logger.
 * (A mistake reported only through `diag` is silent by default: the OTel API has no diag logger
 * until someone sets one.) The stderr line honours OTEL_LOG_LEVEL: see `noticeOnce`.
 */
import { diag } from '@opentelemetry/api';
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const said = new Set<string>();

/**
 * Says `message` once for `key`: through `diag.warn`, and as `alakai-otel: <message>` on stderr.
 * Never throws (a closed stderr must not break the service).
 */
export function noticeOnce(key: string, message: string): void {
  if (said.has(key)) return;
  said.add(key);
  diag.warn(`alakai-otel: ${message}`);
  try {
    writeStderr(`alakai-otel: ${message}\n`);
  } catch {
    // nothing to do: the diag line above is the only record left
  }
}

/**
 * A worker thread's process.stderr is relayed through the main thread, which at exit is blocked
 * waiting for pino's transport worker to close: a notice from there would be lost. fd 2 directly.
 */
function writeStderr(text: string): void {
  if (isMainThread) process.stderr.write(text);
  else writeSync(2, text);
}

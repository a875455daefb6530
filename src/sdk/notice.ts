/**
 * Configuration mistakes and data loss a service owner must hear about: each is said once per
 * process, as one line on stderr, and through `diag` for those who installed a diag logger.
 * (A mistake reported only through `diag` is silent by default: the OTel API has no diag logger
 * until someone sets one.)
 *
 * OTEL_LOG_LEVEL is honoured as the OTel SDK honours it (see otel-log-level.ts): these notices are
 * warnings, so NONE and ERROR silence the stderr line; any other value, or none, keeps it. When the
 * register entry installed a DiagConsoleLogger for OTEL_LOG_LEVEL, the diag warning already is a
 * line on stderr, so the notice is not written a second time (`noticesGoThroughDiag`).
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { effectiveLevel, otelLogLevel } from './otel-log-level.js';

// On globalThis, not per module copy: a process can load both the ESM and the CommonJS build
// (`-r` register with an ESM app), and a notice must still be said once.
const SAID = Symbol.for('alakai-otel.notices-said');
const slot = globalThis as { [SAID]?: Set<string> };
const said: Set<string> = (slot[SAID] ??= new Set<string>());
let throughDiag = false;

/** The register entry installed a console diag logger: notices reach stderr through it. */
export function noticesGoThroughDiag(): void {
  throughDiag = true;
}

function stderrLineWanted(): boolean {
  return !throughDiag && effectiveLevel(otelLogLevel()) >= DiagLogLevel.WARN;
}

/**
 * Says `message` once for `key`: through `diag.warn`, and as `alakai-otel: <message>` on stderr.
 * The message is one line (line breaks in it become spaces). Never throws (a closed stderr must
 * not break the service).
 */
export function noticeOnce(key: string, message: string): void {
  if (said.has(key)) return;
  said.add(key);
  const line = `alakai-otel: ${message.replace(/[\r\n]+/g, ' ')}`;
  try {
    diag.warn(line);
    if (stderrLineWanted()) writeStderr(`${line}\n`);
  } catch {
    // nothing to do: a broken diag logger or a closed stderr leaves no record, and must not throw
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

/**
 * How a value from the environment or the caller is shown in a notice: quoted and escaped (JSON),
 * so control characters cannot forge a second line, and at most 64 characters of it.
 */
export function shownValue(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

/** True once `key` was said (for callers that add detail only to the first report). */
export function noticed(key: string): boolean {
  return said.has(key);
}

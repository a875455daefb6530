/**
 * Eventually-consistent peers (Collector batches, Jaeger, moto) are polled until a condition holds
 * or a deadline passes. Failing after the deadline reports the last thing seen, so a failure says
 * what was missing rather than only "timed out".
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  /** What we are waiting for, for the failure message. */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/** Calls `probe` until it returns a value that is not undefined; throws with the last note. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
      throw new Error(`gave up waiting for ${options.what}${why}`);
    }
    await sleep(options.intervalMs ?? 500);
  }
}

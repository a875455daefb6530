/**
 * Retry with exponential backoff and full jitter (delay = random(0, min(cap, base·2^attempt))),
 * bounded in attempts. A server's Retry-After, when given, is honoured instead (capped).
 * https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
 */
import { setTimeout as sleepMs } from 'node:timers/promises';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Test seams: no real waiting, no randomness. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Real waiting: the default behind every `sleep` test seam in the backfill. */
export function sleep(ms: number): Promise<void> {
  return sleepMs(ms).then(() => undefined);
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 20_000 };

export type RetryDecision = { retry: false } | { retry: true; afterMs?: number; reason: string };

export class RetriesExhaustedError extends Error {
  override name = 'RetriesExhaustedError';
  constructor(
    message: string,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

/**
 * Runs `op` until it succeeds, `classify` says an error is final, or attempts run out.
 * `onRetry` sees every retried failure (for counting in the report).
 */
export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  classify: (err: unknown) => RetryDecision,
  policy: RetryPolicy,
  onRetry?: (reason: string) => void,
): Promise<T> {
  const wait = policy.sleep ?? sleep;
  const random = policy.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await op(attempt);
    } catch (err) {
      const decision = classify(err);
      if (!decision.retry) throw err;
      if (attempt + 1 >= policy.maxAttempts) {
        throw new RetriesExhaustedError(`gave up after ${attempt + 1} attempts (${decision.reason})`, attempt + 1, err);
      }
      onRetry?.(decision.reason);
      const backoff = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      const delay =
        decision.afterMs !== undefined ? Math.min(policy.maxDelayMs, Math.max(0, decision.afterMs)) : backoff;
      await wait(delay);
    }
  }
}

/** Retry-After: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,7}$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

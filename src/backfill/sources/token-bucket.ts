/**
 * A token bucket for CloudWatch Logs request quotas: FilterLogEvents is 5 transactions per second
 * per account and region, and not raisable
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html), so every
 * caller in the process that targets the same account+region takes from one shared bucket.
 */
import { setTimeout as sleepMs } from 'node:timers/promises';

export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number = ratePerSecond,
    private readonly clock: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<unknown> = sleepMs,
  ) {
    this.tokens = burst;
    this.last = clock();
  }

  /** Resolves when a request may go out. Callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.wait());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async wait(): Promise<void> {
    for (;;) {
      const now = this.clock();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    }
  }
}

const shared = new Map<string, TokenBucket>();

/** One bucket per key (account/region/endpoint) for the whole process. */
export function sharedTokenBucket(key: string, ratePerSecond: number): TokenBucket {
  let bucket = shared.get(key);
  if (!bucket || bucket.ratePerSecond !== ratePerSecond) shared.set(key, (bucket = new TokenBucket(ratePerSecond)));
  return bucket;
}

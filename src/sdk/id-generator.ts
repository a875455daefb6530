/**
 * Trace ids chosen by the caller. A root slice must carry the execution's own trace id (the
 * `x-github-delivery` UUID's hex) with no invented parent span, and the SDK only lets an
 * IdGenerator pick a root's trace id. runSlice fills a one-shot slot right before the synchronous
 * `startSpan` call and clears it right after, so no other span can consume it.
 */
import { RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace-base';

let requestedTraceId: string | undefined;

export class AlakaiIdGenerator implements IdGenerator {
  private random = new RandomIdGenerator();

  generateTraceId(): string {
    const id = requestedTraceId;
    requestedTraceId = undefined;
    return id ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.random.generateSpanId();
  }
}

/** Runs `start` with `otelTraceId` offered to the next root span; returns whether it was taken. */
export function withRequestedTraceId<T>(otelTraceId: string, start: () => T): { value: T; taken: boolean } {
  requestedTraceId = otelTraceId;
  try {
    const value = start();
    return { value, taken: requestedTraceId === undefined };
  } finally {
    requestedTraceId = undefined;
  }
}

/**
 * The part of the SDK (src/sdk) the demo's components use, and nothing more: exactly what a
 * service owner writes against. component-main.ts hands in the real SDK; declaring the surface
 * here keeps the components' code honest about how little instrumentation they need.
 */
import type { Context, Span, SpanKind, Tracer } from '@opentelemetry/api';
import type { Outcome } from '../contract/summary-event.js';
import type { SqsMessageAttribute } from './handoff.js';

export interface SliceOptions {
  event: string;
  traceId?: string;
  parent?: Context;
  steps?: string[];
  kind?: SpanKind;
  fields?: Record<string, unknown>;
}

export interface Slice {
  readonly traceId: string;
  readonly span: Span;
  readonly context: Context;
  step<T>(name: string, fn: (span: Span) => T | Promise<T>): Promise<T>;
  set(fields: Record<string, unknown>): void;
  finish(outcome: Outcome, finalStatus: string, error?: unknown): void;
}

/** The service's logger (pino): step-level lines beside the summary events. */
export interface ServiceLogger {
  info(fields: object, msg: string): void;
}

export interface Tracing {
  readonly tracer: Tracer;
  readonly logger: ServiceLogger;
  runSlice<T>(options: SliceOptions, fn: (slice: Slice) => T | Promise<T>): Promise<T>;
  shutdown(): Promise<void>;
}

export interface Propagation {
  withProducerSpan<T>(
    tracer: Tracer,
    options: { system: 'aws_sqs' | 'redis'; destination: string },
    fn: (context: Context, span: Span) => Promise<T> | T,
  ): Promise<T>;
  injectSqsAttributes(attributes: Record<string, SqsMessageAttribute>, context: Context): Record<string, SqsMessageAttribute>;
  /** The context to start the consumer slice under, and the Alakai trace id carried beside it. */
  extractSqsContext(message: { MessageAttributes?: Record<string, SqsMessageAttribute> }): { context: Context; traceId?: string };
  injectRedisPayload<P extends Record<string, unknown>>(payload: P, context: Context): P & { trace_id: string; traceparent: string };
  extractRedisContext(payload: unknown): { context: Context; traceId?: string };
}

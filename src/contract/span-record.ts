/**
 * The bridge's neutral span model: what both directions agree on.
 *
 * Live spans (OTel SDK `ReadableSpan`) and spans rebuilt from summary events both become
 * `SpanRecord`s, and one OTLP/JSON encoder (./otlp-json.ts) writes them. Keeping a model of our own,
 * instead of the SDK's classes, keeps the contract pure and lets the backfill build spans with
 * explicit ids and times without going through a tracer.
 */

/** OTLP attribute values we carry: primitives and homogeneous primitive arrays. */
export type AttributeValue = string | number | boolean | string[] | number[] | boolean[];
export type Attributes = Record<string, AttributeValue>;

/** The contract's own span kinds (named apart from `@opentelemetry/api`'s SpanKind), with its numbering (OTLP's enum is this value + 1). */
export const SPAN_KIND = {
  INTERNAL: 0,
  SERVER: 1,
  CLIENT: 2,
  PRODUCER: 3,
  CONSUMER: 4,
} as const;
export type SpanKindValue = (typeof SPAN_KIND)[keyof typeof SPAN_KIND];

/** The contract's own status codes (named apart from `@opentelemetry/api`'s SpanStatusCode), with its and OTLP's numbering. */
export const STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const;
export type StatusCodeValue = (typeof STATUS_CODE)[keyof typeof STATUS_CODE];

export interface SpanEventRecord {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
}

export interface ScopeRecord {
  name: string;
  version?: string;
}

export interface SpanRecord {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** 16 lowercase hex digits; absent for a root span. */
  parentSpanId?: string;
  name: string;
  kind: SpanKindValue;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  status: { code: StatusCodeValue; message?: string };
  attributes: Attributes;
  events: SpanEventRecord[];
  /** Resource attributes. Spans of one process share the same object. */
  resource: Attributes;
  scope: ScopeRecord;
}

/**
 * Hop 1 of the guide: core → SQS → orchestrator. The trace context rides in message attributes,
 * in the shape the AWS SDK sends and receives (`{ DataType: 'String', StringValue }`).
 * SQS allows at most 10 message attributes per message
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html),
 * so we never replace a caller's attribute and add ours in priority order while there is room.
 */
import { diag, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { alakaiTraceIdOf, carriedTraceId, extractW3c, injectW3c, TRACE_ID, TRACEPARENT, TRACESTATE } from './w3c.js';

/** Structurally the AWS SDK's `MessageAttributeValue`. */
export interface SqsMessageAttributeValue {
  DataType: string | undefined;
  StringValue?: string | undefined;
  BinaryValue?: Uint8Array | undefined;
  StringListValues?: string[] | undefined;
  BinaryListValues?: Uint8Array[] | undefined;
}

export const SQS_MAX_MESSAGE_ATTRIBUTES = 10;

let attributesNotFitted = 0;

/** How many trace attributes could not be added because a message already had 10 (process total). */
export function sqsAttributesNotFitted(): number {
  return attributesNotFitted;
}

export function injectSqsAttributes(
  attrs: Record<string, SqsMessageAttributeValue> | undefined,
  context: Context,
): Record<string, SqsMessageAttributeValue> {
  const out: Record<string, SqsMessageAttributeValue> = { ...attrs };
  const w3c = injectW3c(context);
  const traceId = alakaiTraceIdOf(context);
  // Priority when room is short: traceparent (joins the trace), then trace_id (joins the logs).
  const wanted: Array<[string, string | undefined]> = [
    [TRACEPARENT, w3c[TRACEPARENT]],
    [TRACE_ID, w3c[TRACEPARENT] ? traceId : undefined],
    [TRACESTATE, w3c[TRACESTATE]],
  ];
  let missed = 0;
  for (const [key, value] of wanted) {
    if (value === undefined || Object.hasOwn(out, key)) continue;
    if (Object.keys(out).length >= SQS_MAX_MESSAGE_ATTRIBUTES) {
      missed++;
      continue;
    }
    out[key] = { DataType: 'String', StringValue: value };
  }
  if (missed > 0) {
    if (attributesNotFitted === 0)
      diag.warn('alakai-otel: SQS message already has 10 attributes; trace context not fully attached');
    attributesNotFitted += missed;
  }
  return out;
}

function stringAttribute(attrs: Record<string, SqsMessageAttributeValue> | undefined, key: string): string | undefined {
  if (!attrs || typeof attrs !== 'object' || !Object.hasOwn(attrs, key)) return undefined;
  const value = attrs[key];
  return value && typeof value === 'object' && typeof value.StringValue === 'string' ? value.StringValue : undefined;
}

/** The consumer side: context to start the orchestrator's CONSUMER slice under, plus the Alakai id. */
export function extractSqsContext(message: {
  MessageAttributes?: Record<string, SqsMessageAttributeValue> | undefined;
}): {
  context: Context;
  traceId?: string;
} {
  const attrs = message?.MessageAttributes;
  const context = extractW3c(stringAttribute(attrs, TRACEPARENT), stringAttribute(attrs, TRACESTATE));
  const traceId =
    carriedTraceId(stringAttribute(attrs, TRACE_ID)) ??
    (context === ROOT_CONTEXT ? undefined : alakaiTraceIdOf(context));
  return traceId === undefined ? { context } : { context, traceId };
}

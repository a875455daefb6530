/**
 * The two hand-over shapes of the guide's flow ("How it works"): core → orchestrator is an SQS
 * message (trace context in its message attributes), orchestrator → worker is a JSON payload in
 * Redis (trace context as fields of the payload). Everything read here crossed a process boundary
 * and is parsed as hostile input: size-limited, shape-checked, no prototype from the input.
 */
import { isPlainObject } from '../contract/json-safety.js';

/** SQS limits a message (body plus attributes) to 256 KiB; the demo's are far smaller. */
const MAX_HANDOFF_BYTES = 256 * 1024;

export interface SqsMessageAttribute {
  DataType: string;
  StringValue?: string;
}

/** The fields of an SQS `Message` (ReceiveMessage) that the orchestrator reads. */
export interface SqsMessage {
  MessageId: string;
  Body: string;
  MessageAttributes: Record<string, SqsMessageAttribute>;
}

/** What core puts in the message body: the work, never the trace context (that rides in attributes). */
export interface WorkOrder {
  run_id: string;
  task_id: string;
  event: string;
  repo?: unknown;
  task?: unknown;
}

/** The orchestrator's Redis payload for the worker task: the work plus `trace_id` and `traceparent`. */
export interface WorkerPayload extends WorkOrder {
  [field: string]: unknown;
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  if (text.length > MAX_HANDOFF_BYTES) throw new Error(`${what} is larger than ${MAX_HANDOFF_BYTES} bytes`);
  const value: unknown = JSON.parse(text);
  if (!isPlainObject(value)) throw new Error(`${what} is not a JSON object`);
  return value;
}

/** Copies string-valued attributes into a null-prototype record (keys come from outside). */
function copyAttributes(raw: unknown): Record<string, SqsMessageAttribute> {
  const out = Object.create(null) as Record<string, SqsMessageAttribute>;
  if (!isPlainObject(raw)) return out;
  for (const key of Object.keys(raw)) {
    const a = raw[key];
    if (!isPlainObject(a) || typeof a['DataType'] !== 'string') continue;
    const attr: SqsMessageAttribute = { DataType: a['DataType'] };
    if (typeof a['StringValue'] === 'string') attr.StringValue = a['StringValue'];
    out[key] = attr;
  }
  return out;
}

/** One NDJSON spool line → an SQS message, or an error saying what is wrong with it. */
export function parseSqsMessage(line: string): SqsMessage {
  const raw = parseJsonObject(line, 'SQS message');
  if (typeof raw['MessageId'] !== 'string' || typeof raw['Body'] !== 'string')
    throw new Error('SQS message needs MessageId and Body strings');
  return {
    MessageId: raw['MessageId'],
    Body: raw['Body'],
    MessageAttributes: copyAttributes(raw['MessageAttributes']),
  };
}

function requireWorkFields(raw: Record<string, unknown>, what: string): WorkOrder {
  for (const key of ['run_id', 'task_id', 'event'] as const) {
    if (typeof raw[key] !== 'string') throw new Error(`${what} has no ${key} string`);
  }
  return raw as unknown as WorkOrder;
}

export function parseWorkOrder(body: string): WorkOrder {
  return requireWorkFields(parseJsonObject(body, 'SQS message body'), 'SQS message body');
}

export function parseWorkerPayload(text: string): WorkerPayload {
  return requireWorkFields(parseJsonObject(text, 'Redis payload'), 'Redis payload') as WorkerPayload;
}

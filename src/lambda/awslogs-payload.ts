/**
 * The event a CloudWatch Logs subscription filter gives a Lambda function: `{"awslogs": {"data":
 * BASE64}}`, the data a gzip'd JSON envelope — `messageType` (`DATA_MESSAGE`, or the
 * `CONTROL_MESSAGE` CloudWatch sends to check the destination), `owner`, `logGroup`, `logStream`,
 * `subscriptionFilters`, `logEvents: [{id, timestamp, message}]`.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
 *
 * Hostile until parsed: the base64 text and the inflated JSON are bounded (a gzip bomb stops at
 * MAX_INFLATED_BYTES, zlib's `maxOutputLength`), JSON.parse never sets a prototype, and only the
 * named fields are read. Never throws: a payload that cannot be used is a reason.
 */
import { gunzipSync } from 'node:zlib';

/** Lambda takes at most 6 MB for a synchronous invocation, 1 MB for an asynchronous one (base64 is 4/3 of that). */
export const MAX_DATA_CHARS = 8 * 1024 * 1024;
/** A subscription batch holds ≤ 1 MB of log events (CloudWatch events ≤ 1 MB); JSON escaping may double it. */
export const MAX_INFLATED_BYTES = 32 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export type PayloadReject = 'no_awslogs_data' | 'payload_too_large' | 'bad_base64' | 'bad_gzip' | 'bad_envelope';

export type DecodedPayload =
  | { kind: 'data'; logGroup: string | undefined; messages: (string | undefined)[] }
  | { kind: 'control' }
  | { kind: 'rejected'; reason: PayloadReject };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `event.awslogs.data` → the envelope's messages (undefined for an event without a string message). */
export function decodeAwslogsEvent(event: unknown): DecodedPayload {
  const awslogs = isObject(event) ? event['awslogs'] : undefined;
  const data = isObject(awslogs) ? awslogs['data'] : undefined;
  if (typeof data !== 'string') return { kind: 'rejected', reason: 'no_awslogs_data' };
  if (data.length > MAX_DATA_CHARS) return { kind: 'rejected', reason: 'payload_too_large' };
  // Buffer.from(…, 'base64') skips what is not base64 instead of failing: check first.
  if (data.length % 4 !== 0 || !BASE64.test(data)) return { kind: 'rejected', reason: 'bad_base64' };
  let json: string;
  try {
    json = gunzipSync(Buffer.from(data, 'base64'), { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
  } catch (err) {
    const tooBig = (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    return { kind: 'rejected', reason: tooBig ? 'payload_too_large' : 'bad_gzip' };
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(json);
  } catch {
    return { kind: 'rejected', reason: 'bad_envelope' };
  }
  if (!isObject(envelope)) return { kind: 'rejected', reason: 'bad_envelope' };
  if (envelope['messageType'] === 'CONTROL_MESSAGE') return { kind: 'control' };
  const events = envelope['logEvents'];
  if (envelope['messageType'] !== 'DATA_MESSAGE' || !Array.isArray(events))
    return { kind: 'rejected', reason: 'bad_envelope' };
  const group = envelope['logGroup'];
  return {
    kind: 'data',
    logGroup: typeof group === 'string' ? group : undefined,
    messages: events.map((e) => (isObject(e) && typeof e['message'] === 'string' ? e['message'] : undefined)),
  };
}

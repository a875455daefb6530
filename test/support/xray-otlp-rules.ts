/**
 * What X-Ray's OTLP endpoint checks before it takes a request, for the one fake OTLP receiver
 * (fake-otlp-receiver.ts, option `xray`):
 *
 * - SigV4: the signature is recomputed with the same algorithm (`@smithy/signature-v4`, from the
 *   secret of the access key the request names, the headers it says it signed, its x-amz-date and
 *   its session token) and compared; a mismatch, an unknown key, a missing signature, a wrong
 *   region or service is a 403 with AWS's error type in `x-amzn-errortype`. A session token marked
 *   expired is a 403 ExpiredTokenException, as AWS answers one.
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * - The limits of https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-OTLPEndpoint.html
 *   (≤ 5 MB uncompressed, ≤ 10,000 spans, ≤ 200 KB a span, no span more than 14 days old or 2 h
 *   ahead, ≤ 24 h across one request): the whole request is refused with a 400, as documented.
 *   The figures are written out here, not imported from src/, so that a wrong constant there is
 *   caught by the fake instead of agreed with.
 */
import { gunzipSync } from 'node:zlib';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { encodeOtlpJsonLine, fromOtlpRequest } from '../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../src/contract/span-record.js';

export interface XrayRules {
  region: string;
  /** Access key id → secret access key: the keys the fake knows. */
  secrets: Record<string, string>;
  /** Session tokens answered 403 ExpiredTokenException. */
  expiredTokens?: ReadonlySet<string>;
  /** The fake's clock, for the age limits (default Date.now). */
  now?: () => number;
}

export interface XrayVerdict {
  status: number;
  errorType?: string;
  message?: string;
  /** The decoded spans of a request that passed. */
  spans?: SpanRecord[];
  /** What was checked, for tests: the access key and session token the request was signed with. */
  accessKeyId?: string;
  sessionToken?: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function refuse(status: number, errorType: string, message: string): XrayVerdict {
  return { status, errorType, message };
}

/** x-amz-date (20260101T000000Z) → Date. */
function amzDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

async function checkSignature(
  rules: XrayRules,
  method: string,
  rawUrl: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<XrayVerdict | { accessKeyId: string; sessionToken?: string }> {
  const auth = header(headers, 'authorization');
  if (!auth) return refuse(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const m = AUTH.exec(auth);
  if (!m) return refuse(403, 'IncompleteSignatureException', 'Authorization header is not a SigV4 signature');
  const [, accessKeyId, , region, service, signedHeaders] = m;
  const secret = Object.hasOwn(rules.secrets, accessKeyId!) ? rules.secrets[accessKeyId!] : undefined;
  if (secret === undefined)
    return refuse(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (service !== 'xray' || region !== rules.region)
    return refuse(403, 'InvalidSignatureException', `Credential should be scoped to ${rules.region}/xray`);
  const date = amzDate(header(headers, 'x-amz-date') ?? '');
  if (!date) return refuse(403, 'IncompleteSignatureException', 'x-amz-date is missing or malformed');
  const sessionToken = header(headers, 'x-amz-security-token');
  const signed: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) {
    if (name === 'x-amz-date' || name === 'x-amz-security-token') continue; // the signer sets these itself
    const value = header(headers, name);
    if (value === undefined) return refuse(403, 'InvalidSignatureException', `signed header ${name} is missing`);
    signed[name] = value;
  }
  const url = new URL(rawUrl, `http://${header(headers, 'host') ?? 'localhost'}`);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signer = new SignatureV4({
    service: 'xray',
    region: rules.region,
    sha256: Sha256,
    credentials: { accessKeyId: accessKeyId!, secretAccessKey: secret, ...(sessionToken ? { sessionToken } : {}) },
  });
  const again = await signer.sign(
    {
      method,
      protocol: 'http:',
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: signed,
      body,
    },
    { signingDate: date },
  );
  if (again.headers['authorization'] !== auth)
    return refuse(
      403,
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided.',
    );
  if (sessionToken && rules.expiredTokens?.has(sessionToken))
    return {
      ...refuse(403, 'ExpiredTokenException', 'The security token included in the request is expired'),
      accessKeyId: accessKeyId!,
      sessionToken,
    };
  return { accessKeyId: accessKeyId!, ...(sessionToken ? { sessionToken } : {}) };
}

const MS = 1_000_000n;
const DAY_MS = 86_400_000;

function checkLimits(spans: SpanRecord[], nowMs: number): XrayVerdict | undefined {
  if (spans.length > 10_000) return refuse(400, 'InvalidRequestException', `${spans.length} spans in one request`);
  const oldest = BigInt(nowMs - 14 * DAY_MS) * MS;
  const newest = BigInt(nowMs + 2 * 3_600_000) * MS;
  let first: bigint | undefined;
  let last: bigint | undefined;
  for (const span of spans) {
    if (span.startTimeUnixNano < oldest) return refuse(400, 'InvalidRequestException', 'span older than 14 days');
    if (span.endTimeUnixNano > newest) return refuse(400, 'InvalidRequestException', 'span more than 2 hours ahead');
    if (Buffer.byteLength(encodeOtlpJsonLine([span])) > 200_000)
      return refuse(400, 'InvalidRequestException', 'span larger than 200 KB');
    if (first === undefined || span.startTimeUnixNano < first) first = span.startTimeUnixNano;
    if (last === undefined || span.endTimeUnixNano > last) last = span.endTimeUnixNano;
  }
  if (first !== undefined && last! - first > BigInt(DAY_MS) * MS)
    return refuse(400, 'InvalidRequestException', 'spans of one request more than 24 hours apart');
  return undefined;
}

/** The fake X-Ray's answer to one request: 200 with its spans, or X-Ray's refusal. */
export async function xrayVerdict(
  rules: XrayRules,
  method: string,
  rawUrl: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<XrayVerdict> {
  const who = await checkSignature(rules, method, rawUrl, headers, body);
  if ('status' in who) return who;
  const encoding = header(headers, 'content-encoding');
  if (encoding !== undefined && encoding !== 'gzip')
    return refuse(415, 'UnsupportedMediaTypeException', `content-encoding ${encoding}`);
  let raw: Buffer;
  try {
    raw = encoding === 'gzip' ? gunzipSync(body, { maxOutputLength: 5_000_001 }) : body;
  } catch {
    return refuse(400, 'InvalidRequestException', 'payload larger than 5 MB uncompressed, or not gzip');
  }
  if (raw.length > 5_000_000) return refuse(400, 'InvalidRequestException', 'payload larger than 5 MB uncompressed');
  let spans: SpanRecord[];
  try {
    spans = fromOtlpRequest(raw.toString('utf8'));
  } catch (error) {
    return refuse(400, 'InvalidRequestException', `undecodable OTLP/JSON: ${(error as Error).message}`);
  }
  const over = checkLimits(spans, (rules.now ?? Date.now)());
  if (over) return { ...over, ...who };
  return { status: 200, spans, ...who };
}

/** Sorting AWS SDK errors into: retry, restart pagination, skip a log group, user error, fatal. */
import { countInto } from '../report.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import { SourceUserError } from '../source-types.js';

export type AwsErrorClass =
  | { kind: 'retry'; reason: string }
  | { kind: 'restart_pagination'; reason: string }
  | { kind: 'missing_group' }
  | { kind: 'user'; message: string }
  | { kind: 'fatal' };

const RETRY_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
  'ServiceUnavailableException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalFailure',
  'InternalServerError',
  'TimeoutError',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
]);

export function classifyAwsError(err: unknown): AwsErrorClass {
  const e = (err ?? {}) as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
  };
  const name = String(e.name ?? '');
  const message = String(e.message ?? '');
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message.slice(0, 200))) {
    return {
      kind: 'user',
      message: 'no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
    };
  }
  if (/Region is missing/i.test(message.slice(0, 200)))
    return { kind: 'user', message: 'no AWS region configured (set AWS_REGION or pass --region)' };
  if (
    name === 'UnrecognizedClientException' ||
    name === 'InvalidSignatureException' ||
    name === 'AccessDeniedException'
  ) {
    return { kind: 'user', message: `AWS refused the credentials: ${name}` };
  }
  if (name === 'ResourceNotFoundException') return { kind: 'missing_group' };
  // A nextToken that expired or is no longer valid mid-pagination: restart the page from the last
  // timestamp seen (names vary: InvalidNextToken in some APIs, an InvalidParameterException
  // mentioning the token in CloudWatch Logs, ExpiredToken for long-lived tokens).
  if (
    /ExpiredToken|InvalidNextToken/i.test(name) ||
    (name === 'InvalidParameterException' && /next ?token/i.test(message.slice(0, 300)))
  ) {
    return { kind: 'restart_pagination', reason: 'expired_next_token' };
  }
  const status = e.$metadata?.httpStatusCode;
  // Server faults first, by status, so the report tells a 503 storm from throttling.
  if (typeof status === 'number' && status >= 500) return { kind: 'retry', reason: `http_${status}` };
  if (RETRY_NAMES.has(name))
    return {
      kind: 'retry',
      reason: name === 'LimitExceededException' ? 'limit_exceeded' : name === 'TimeoutError' ? 'timeout' : 'throttled',
    };
  if (status === 429) return { kind: 'retry', reason: 'throttled' };
  if ((e.code && NETWORK_CODES.has(e.code)) || e.$fault === 'server') return { kind: 'retry', reason: 'network' };
  if (name === 'TypeError' && /fetch|socket|network/i.test(message)) return { kind: 'retry', reason: 'network' };
  return { kind: 'fatal' };
}

/**
 * One AWS call with the sources' retry rule: what classifyAwsError calls retryable is retried under
 * `policy` (each retry counted by reason in `retries`); a user mistake (no credentials, no such
 * region, access denied) ends as a SourceUserError, one line for the CLI; anything else as it is.
 */
export function sendWithAwsRetry(policy: RetryPolicy, retries: Record<string, number>) {
  return <T>(call: () => Promise<T>): Promise<T> =>
    withRetry(
      call,
      (err) => {
        const c = classifyAwsError(err);
        return c.kind === 'retry' ? { retry: true, reason: c.reason } : { retry: false };
      },
      policy,
      (reason) => countInto(retries, reason),
    ).catch((err: unknown) => {
      const c = classifyAwsError((err as { cause?: unknown }).cause ?? err);
      throw c.kind === 'user' ? new SourceUserError(c.message) : err;
    });
}

/**
 * The OTLP/HTTP sink against the fake X-Ray OTLP endpoint (fake-otlp-receiver.ts with `xray`:
 * each signature recomputed, X-Ray's limits enforced with its refusals): signed and gzip'd
 * requests are taken; a bad signature is one clear failure after one request; an expired session
 * token is refreshed and the request signed anew; 429 and 5xx are retried; batches are cut to the
 * request limits, and what X-Ray would refuse is counted, never sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import { OtlpHttpSink } from '../../../src/backfill/sinks/otlp-http-sink.js';
import { XrayFilterSink } from '../../../src/backfill/sinks/xray-filter-sink.js';
import { OtlpExportError } from '../../../src/otlp-transport/otlp-post.js';
import type { AwsCredentials, CredentialSource } from '../../../src/otlp-transport/sigv4-signer.js';
import { isXrayEndpoint, sigv4TargetFor, SigV4ConfigError } from '../../../src/otlp-transport/sigv4-target.js';
import { cutForXray, XRAY_MAX_REQUEST_BYTES } from '../../../src/otlp-transport/xray-limits.js';
import { startOtlpReceiver, type OtlpAnswer, type OtlpReceiver } from '../../support/fake-otlp-receiver.js';

const REGION = 'eu-west-1';
const KEY = { accessKeyId: 'AKIDXRAYTEST', secretAccessKey: 'secret-one' };
const NOW = Date.now();
const noWait = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, sleep: async () => {} };
const servers: OtlpReceiver[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

async function fakeXray(
  options: { expiredTokens?: Set<string>; answer?: (i: number) => OtlpAnswer } = {},
): Promise<OtlpReceiver> {
  const s = await startOtlpReceiver('ok', {
    xray: {
      region: REGION,
      secrets: { [KEY.accessKeyId]: KEY.secretAccessKey },
      ...(options.expiredTokens ? { expiredTokens: options.expiredTokens } : {}),
    },
    ...(options.answer ? { answer: options.answer } : {}),
  });
  servers.push(s);
  return s;
}

function span(i: number, startMs: number, endMs = startMs + 50, extra: Record<string, string> = {}): SpanRecord {
  return {
    traceId: 'b'.repeat(31) + (i % 10).toString(),
    spanId: i.toString(16).padStart(16, '0'),
    name: 'coding.implementation',
    kind: 1,
    startTimeUnixNano: BigInt(startMs) * 1_000_000n,
    endTimeUnixNano: BigInt(endMs) * 1_000_000n,
    status: { code: 0 },
    attributes: { 'alakai.component': 'worker', ...extra },
    events: [],
    resource: { 'service.name': 'alakai-worker-implementation' },
    scope: { name: 'alakai-otel' },
  };
}

const recent = (n: number, from = 0): SpanRecord[] =>
  Array.from({ length: n }, (_, i) => span(from + i + 1, NOW - 60_000 + i));

function sink(server: OtlpReceiver, credentials: CredentialSource, onRetry?: (r: string) => void): OtlpHttpSink {
  return new OtlpHttpSink({
    endpoint: server.url,
    sigv4: { service: 'xray', region: REGION },
    credentials,
    xray: true,
    retry: noWait,
    ...(onRetry ? { onRetry } : {}),
  });
}

const fixed =
  (c: AwsCredentials): CredentialSource =>
  () =>
    Promise.resolve(c);

describe('X-Ray OTLP endpoint: signing', () => {
  it('signed, gzip’d requests are taken; the fake really recomputes the signature', async () => {
    const server = await fakeXray();
    const good = sink(server, fixed(KEY));
    await good.write(recent(20));
    await good.flush();
    expect(server.acceptedSpanIds.size).toBe(20);
    expect(server.xrayAnswers()).toEqual([
      expect.objectContaining({ status: 200, gzip: true, accessKeyId: KEY.accessKeyId, spans: 20 }),
    ]);
    // The same key id with another secret: the signature differs, and the fake says so.
    const forged = sink(server, fixed({ ...KEY, secretAccessKey: 'not-the-secret' }));
    await forged.write(recent(1, 100));
    await expect(forged.flush()).rejects.toThrow(/HTTP 403.*Transaction Search/);
    expect(server.xrayAnswers().at(-1)).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' });
  });

  it('a 403 is one request and one clear error, not a retry storm', async () => {
    const server = await fakeXray();
    const retried: string[] = [];
    const s = sink(server, fixed({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' }), (r) => retried.push(r));
    await s.write(recent(3));
    const error = await s.flush().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OtlpExportError);
    expect((error as Error).message).toMatch(/refused \(HTTP 403\).*service xray, region eu-west-1/);
    expect((error as Error).message).not.toContain('AKIDUNKNOWN');
    expect(server.requests()).toBe(1);
    expect(retried).toEqual([]);
  });

  it('a session token sent as x-amz-security-token; when it expired, fresh credentials sign the retry', async () => {
    const expired = new Set(['token-1']);
    const server = await fakeXray({ expiredTokens: expired });
    const asked: (boolean | undefined)[] = [];
    let n = 0;
    const rotating: CredentialSource = (options) => {
      asked.push(options?.forceRefresh);
      if (options?.forceRefresh || n === 0) n++;
      return Promise.resolve({ ...KEY, sessionToken: `token-${n}` });
    };
    const retried: string[] = [];
    const s = sink(server, rotating, (r) => retried.push(r));
    await s.write(recent(5));
    await s.flush();
    expect(server.xrayAnswers().map((a) => [a.status, a.sessionToken, a.errorType])).toEqual([
      [403, 'token-1', 'ExpiredTokenException'],
      [200, 'token-2', undefined],
    ]);
    expect(asked).toContain(true);
    expect(retried).toEqual(['expired_credentials']);
    expect(server.acceptedSpanIds.size).toBe(5);
  });

  it('429 and 5xx are retried with backoff, and nothing is lost', async () => {
    const server = await fakeXray({
      answer: (i) => (i === 0 ? { status: 429 } : i === 1 ? { status: 500 } : { status: 200 }),
    });
    const retried: string[] = [];
    const s = sink(server, fixed(KEY), (r) => retried.push(r));
    await s.write(recent(7));
    await s.flush();
    expect(retried).toEqual(['http_429', 'http_500']);
    expect(server.acceptedSpanIds.size).toBe(7);
  });
});

describe('X-Ray OTLP endpoint: limits', () => {
  it('a batch over 24 h or over 5 MB is cut into requests X-Ray takes; unfit spans are counted, not sent', async () => {
    const server = await fakeXray();
    const notSent: Record<string, number> = {};
    const http = new OtlpHttpSink({
      endpoint: server.url,
      sigv4: { service: 'xray', region: REGION },
      credentials: fixed(KEY),
      xray: true,
      retry: noWait,
      batchSpans: 100_000,
    });
    const filtered = new XrayFilterSink(http, notSent);
    const day = 86_400_000;
    const pad = 'p'.repeat(150_000); // 150 KB a span: under 200 KB, but 40 of them are over 5 MB
    const spans = [
      ...Array.from({ length: 40 }, (_, i) => span(i + 1, NOW - 3 * day + i, NOW - 3 * day + i + 10, { pad })),
      span(50, NOW - 60_000), // more than 24 h after the others: another request
      span(51, NOW - 15 * day), // older than 14 days
      span(52, NOW + 3 * 3_600_000), // more than 2 h ahead
      span(53, NOW - 1000, NOW, { pad: 'q'.repeat(210_000) }), // over 200 KB
    ];
    await filtered.write(spans);
    await filtered.flush();
    expect(filtered.notSent).toEqual({
      xray_older_than_14_days: 1,
      xray_more_than_2h_in_future: 1,
      xray_span_over_200kb: 1,
    });
    expect(notSent).toEqual(filtered.notSent);
    const answers = server.xrayAnswers();
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.length).toBeGreaterThanOrEqual(3);
    expect(server.acceptedSpanIds.size).toBe(41);
  });

  it('the fake refuses what the cut avoids: one request over 24 h, or over 5 MB, is a 400', async () => {
    const server = await fakeXray();
    const unCut = new OtlpHttpSink({
      endpoint: server.url,
      sigv4: { service: 'xray', region: REGION },
      credentials: fixed(KEY),
      retry: noWait,
    });
    await unCut.write([span(1, NOW - 2 * 86_400_000), span(2, NOW - 1000)]);
    await expect(unCut.flush()).rejects.toThrow(/HTTP 400/);
    expect(server.xrayAnswers()[0]).toMatchObject({ status: 400, errorType: 'InvalidRequestException' });
    expect(cutForXray([span(1, NOW - 2 * 86_400_000), span(2, NOW - 1000)])).toHaveLength(2);
    const big = Array.from({ length: 40 }, (_, i) =>
      span(i + 1, NOW - 1000 + i, NOW + i, { pad: 'p'.repeat(150_000) }),
    );
    expect(cutForXray(big).every((r) => r.length * 150_000 < XRAY_MAX_REQUEST_BYTES)).toBe(true);
    // Small spans (a short name), so 10,000 of them stay under 5 MB and the count is what cuts.
    const small = Array.from({ length: 25_000 }, (_, i) => ({ ...span(i + 1, NOW - 1000), name: 'slice' }));
    expect(cutForXray(small).map((r) => r.length)).toEqual([10_000, 10_000, 5_000]);
  });
});

describe('which endpoints are signed', () => {
  it('X-Ray hosts and their VPC endpoints by themselves; others only when forced, with a region', () => {
    expect(sigv4TargetFor('https://xray.us-west-2.amazonaws.com/v1/traces', undefined, {})).toEqual({
      service: 'xray',
      region: 'us-west-2',
    });
    expect(
      sigv4TargetFor('https://vpce-0abc-xyz.xray.eu-central-1.vpce.amazonaws.com/v1/traces', undefined, {}),
    ).toEqual({ service: 'xray', region: 'eu-central-1' });
    expect(isXrayEndpoint('https://xray.us-east-1.amazonaws.com.evil.example/v1/traces')).toBe(false);
    expect(sigv4TargetFor('http://collector:4318/v1/traces', undefined, { AWS_REGION: 'us-east-1' })).toBeUndefined();
    expect(sigv4TargetFor('http://proxy:8080/v1/traces', 'xray', { AWS_REGION: 'ap-south-1' })).toEqual({
      service: 'xray',
      region: 'ap-south-1',
    });
    expect(() => sigv4TargetFor('http://proxy:8080/v1/traces', 'xray', {})).toThrow(SigV4ConfigError);
    expect(() => sigv4TargetFor('http://proxy:8080/v1/traces', 's3', { AWS_REGION: 'x' })).toThrow(/xray only/);
  });
});

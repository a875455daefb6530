/**
 * The one in-process OTLP/HTTP receiver of the test suites (unit, consumer, e2e helpers): it speaks
 * the wire protocol the real `@opentelemetry/exporter-trace-otlp-http` and the backfill's OTLP sink
 * use (POST /v1/traces, OTLP/JSON body) on a real loopback port, and decodes what it accepts with
 * the contract's own `fromOtlpRequest`.
 *
 * Faults (`CollectorFault`): `refuse` (nothing listens), `hang` (reads the request, never answers),
 * `http500`, `http429` (Retry-After for the first `rejectFirst` requests, then 200), `ok`. It can
 * go down and come back on the same port (`setFault`), and a script can answer each request by its
 * index (`answer`), for tests that need a precise sequence of statuses.
 *
 * With `xray`, it is X-Ray's OTLP endpoint (xray-otlp-rules.ts): each request's SigV4 signature is
 * recomputed and checked, gzip is decoded, X-Ray's limits are enforced with its own refusals, and
 * session tokens can be marked expired; `xrayAnswers()` lists what each request got.
 *
 * It keeps the spans of every request answered 2xx, in arrival order, and their distinct span ids,
 * so tests can check "delivered or counted as dropped, never both, never twice". A body it cannot
 * decode is answered 400 and kept in `undecodable()`: a test never counts zero spans by accident.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fromOtlpRequest } from '../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../src/contract/span-record.js';
import { xrayVerdict, type XrayRules } from './xray-otlp-rules.js';

export type CollectorFault = 'ok' | 'refuse' | 'hang' | 'http500' | 'http429';

/** What a scripted receiver answers to one request. */
export interface OtlpAnswer {
  status: number;
  headers?: Record<string, string>;
}

export interface OtlpReceiverOptions {
  /** For http429: how many requests get 429 before the receiver accepts (default 3). */
  rejectFirst?: number;
  /** For http429: the Retry-After header value, in seconds (default 1). */
  retryAfterSeconds?: number;
  /**
   * While the fault is `ok`: the answer to request number `index` (0-based, counting every request
   * received). A 2xx answer accepts the spans; any other status rejects them.
   */
  answer?: (index: number) => OtlpAnswer;
  /** Behave as X-Ray's OTLP endpoint: SigV4 checked, gzip decoded, X-Ray's limits enforced. */
  xray?: XrayRules;
}

/** What the X-Ray mode answered one request, and what it was signed with. */
export interface XrayAnswer {
  status: number;
  errorType?: string;
  message?: string;
  accessKeyId?: string;
  sessionToken?: string;
  gzip: boolean;
  spans: number;
}

export interface OtlpReceiver {
  readonly url: string;
  /** Distinct span ids in requests answered 2xx (a Set: duplicates are counted separately). */
  readonly acceptedSpanIds: ReadonlySet<string>;
  /** The spans of every request answered 2xx, decoded, in arrival order (duplicates included). */
  acceptedSpans(): SpanRecord[];
  /** The OTLP/JSON body of every request answered 2xx, as received (not in X-Ray mode), in arrival order. */
  acceptedBodies(): string[];
  /** Spans received again after being accepted once (a retried request that had succeeded). */
  duplicates(): number;
  /** Distinct accepted spans carrying attribute `test.phase` = phase. */
  acceptedInPhase(phase: number): number;
  /** Every request received, whatever its answer. */
  requests(): number;
  /** `METHOD path content-type` of every request received, in arrival order. */
  requestHeads(): string[];
  /** Requests answered with a non-2xx status (429, 500, a scripted rejection, 400 undecodable). */
  rejected(): number;
  /** Bodies that were not OTLP/JSON, with the decoder's reason. */
  undecodable(): string[];
  /** In X-Ray mode: each request's answer, in arrival order. */
  xrayAnswers(): XrayAnswer[];
  /** Switches the fault (e.g. `hang` → `ok`); `refuse` ↔ anything closes or reopens the port. */
  setFault(fault: CollectorFault): Promise<void>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(
  initial: CollectorFault = 'ok',
  options: OtlpReceiverOptions = {},
): Promise<OtlpReceiver> {
  let fault = initial;
  let requests = 0;
  let rejected = 0;
  let duplicates = 0;
  let toReject = options.rejectFirst ?? 3;
  const acceptedIds = new Set<string>();
  const phases = new Map<number, number>();
  const records: SpanRecord[] = [];
  const bodies: string[] = [];
  const undecodable: string[] = [];
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const xrayAnswers: XrayAnswer[] = [];

  /** Decodes and keeps the spans; false when the body is not OTLP/JSON. */
  const accept = (body: string): boolean => {
    let spans: SpanRecord[];
    try {
      spans = fromOtlpRequest(body);
    } catch (error) {
      undecodable.push(String((error as Error).message));
      return false;
    }
    keep(spans);
    bodies.push(body);
    return true;
  };

  const keep = (spans: SpanRecord[]): void => {
    records.push(...spans);
    for (const span of spans) {
      if (acceptedIds.has(span.spanId)) {
        duplicates++;
        continue;
      }
      acceptedIds.add(span.spanId);
      const raw = span.attributes['test.phase'];
      if (raw !== undefined) {
        const phase = Number(raw);
        phases.set(phase, (phases.get(phase) ?? 0) + 1);
      }
    }
  };

  /** X-Ray mode: the verdict of xray-otlp-rules.ts, answered the way X-Ray answers. */
  const answerAsXray = (rules: XrayRules, req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    void xrayVerdict(rules, req.method ?? 'POST', req.url ?? '/', req.headers, body).then((verdict) => {
      xrayAnswers.push({
        status: verdict.status,
        ...(verdict.errorType ? { errorType: verdict.errorType } : {}),
        ...(verdict.message ? { message: verdict.message } : {}),
        ...(verdict.accessKeyId ? { accessKeyId: verdict.accessKeyId } : {}),
        ...(verdict.sessionToken ? { sessionToken: verdict.sessionToken } : {}),
        gzip: req.headers['content-encoding'] === 'gzip',
        spans: verdict.spans?.length ?? 0,
      });
      if (verdict.status !== 200 || !verdict.spans) {
        rejected++;
        res
          .writeHead(verdict.status, {
            'content-type': 'application/json',
            ...(verdict.errorType ? { 'x-amzn-errortype': verdict.errorType } : {}),
          })
          .end(JSON.stringify({ message: verdict.message ?? '' }));
        return;
      }
      keep(verdict.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const index = requests++;
      heads.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      if (fault === 'hang') {
        hanging.add(res); // read, never answered: the exporter's own timeout must end the request
        return;
      }
      if (fault === 'http500') {
        rejected++;
        res.writeHead(500).end('collector broken');
        return;
      }
      if (fault === 'http429' && toReject > 0) {
        toReject--;
        rejected++;
        res.writeHead(429, { 'retry-after': String(options.retryAfterSeconds ?? 1) }).end();
        return;
      }
      const answer = fault === 'ok' && options.answer ? options.answer(index) : { status: 200 };
      if (answer.status < 200 || answer.status >= 300) {
        rejected++;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end('{}');
        return;
      }
      if (options.xray) {
        answerAsXray(options.xray, req, res, Buffer.concat(chunks));
        return;
      }
      if (!accept(Buffer.concat(chunks).toString('utf8'))) {
        rejected++;
        res.writeHead(400, { 'content-type': 'text/plain' }).end('undecodable OTLP/JSON');
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end('{}');
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const res of hanging) res.destroy();
      hanging.clear();
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  // Same port again: the exporter keeps its configured URL across the outage, as with a real restart.
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      if (server.listening) return resolve();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });

  if (initial === 'refuse') await stop();

  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    acceptedSpanIds: acceptedIds,
    acceptedSpans: () => records,
    acceptedBodies: () => bodies,
    duplicates: () => duplicates,
    acceptedInPhase: (phase) => phases.get(phase) ?? 0,
    requests: () => requests,
    requestHeads: () => heads,
    rejected: () => rejected,
    undecodable: () => undecodable,
    xrayAnswers: () => xrayAnswers,
    async setFault(next) {
      if (next === 'refuse') await stop();
      else await listen();
      if (fault === 'hang' && next !== 'hang') {
        for (const res of hanging) res.destroy();
        hanging.clear();
      }
      fault = next;
    },
    close: stop,
  };
}

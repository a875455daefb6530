/**
 * An in-process OTLP/HTTP collector for fault injection, speaking the wire protocol the real
 * `@opentelemetry/exporter-trace-otlp-http` uses (POST /v1/traces, OTLP/JSON body). Unlike the SDK
 * tests' fake (test/unit/sdk/fake-collector.ts) it can go down and come back on the same port, and
 * it keeps the span ids it accepted, so tests can check "delivered or counted as dropped, never
 * both, never twice".
 *
 * Faults: `refuse` (nothing listens), `hang` (reads the request, never answers), `http500`,
 * `http429` (Retry-After for the first `rejectFirst` requests, then 200), `ok`.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fromOtlpRequest } from '../../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';

export type CollectorFault = 'ok' | 'refuse' | 'hang' | 'http500' | 'http429';

export interface FakeCollectorOptions {
  /** For http429: how many requests get 429 before the collector accepts. */
  rejectFirst?: number;
  /** For http429: the Retry-After header value, in seconds. */
  retryAfterSeconds?: number;
}

export interface OtlpCollector {
  readonly url: string;
  /** Span ids in requests answered 200 (a Set: duplicates are counted separately). */
  readonly acceptedSpanIds: ReadonlySet<string>;
  /** The spans of every request answered 200, decoded, in arrival order (duplicates included). */
  acceptedSpans(): SpanRecord[];
  /** Spans received again after being accepted once (a retried request that had succeeded). */
  duplicates(): number;
  /** Accepted spans carrying attribute `test.phase` = phase. */
  acceptedInPhase(phase: number): number;
  requests(): number;
  /** Requests answered with 429 / 500. */
  rejected(): number;
  /** Switches the fault (e.g. `hang` → `ok`); `refuse` ↔ anything reopens or closes the port. */
  setFault(fault: CollectorFault): Promise<void>;
  close(): Promise<void>;
}

interface OtlpAnyValue {
  intValue?: string | number;
  stringValue?: string;
}
interface OtlpBody {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ spanId?: string; attributes?: Array<{ key?: string; value?: OtlpAnyValue }> }> }> }>;
}

function phaseOf(attributes: Array<{ key?: string; value?: OtlpAnyValue }> | undefined): number | undefined {
  const attr = attributes?.find((a) => a.key === 'test.phase');
  const raw = attr?.value?.intValue ?? attr?.value?.stringValue;
  return raw === undefined ? undefined : Number(raw);
}

export async function startOtlpCollector(initial: CollectorFault, options: FakeCollectorOptions = {}): Promise<OtlpCollector> {
  let fault = initial;
  let requests = 0;
  let rejected = 0;
  let duplicates = 0;
  let toReject = options.rejectFirst ?? 3;
  const accepted = new Set<string>();
  const phases = new Map<number, number>();
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const records: SpanRecord[] = [];
  const accept = (body: string): void => {
    let parsed: OtlpBody;
    try {
      parsed = JSON.parse(body) as OtlpBody;
      records.push(...fromOtlpRequest(body));
    } catch {
      return;
    }
    for (const rs of parsed.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          const id = String(span.spanId ?? '');
          if (accepted.has(id)) {
            duplicates++;
            continue;
          }
          accepted.add(id);
          const phase = phaseOf(span.attributes);
          if (phase !== undefined) phases.set(phase, (phases.get(phase) ?? 0) + 1);
        }
      }
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
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
      accept(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
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
    acceptedSpanIds: accepted,
    acceptedSpans: () => records,
    duplicates: () => duplicates,
    acceptedInPhase: (phase) => phases.get(phase) ?? 0,
    requests: () => requests,
    rejected: () => rejected,
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

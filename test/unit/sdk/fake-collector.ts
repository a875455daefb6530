/**
 * An in-process OTLP/HTTP "collector" with injectable faults: refuse connections, accept and never
 * answer, answer 500, or answer 429 with Retry-After a number of times before accepting. It counts
 * the spans it accepted by decoding the OTLP/JSON bodies the real exporter sends.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type CollectorFault = 'ok' | 'refuse' | 'hang' | 'http500' | 'http429';

export interface FakeCollector {
  url: string;
  /** Spans in requests answered 200. */
  acceptedSpans(): number;
  requests(): number;
  close(): Promise<void>;
}

function countSpans(body: string): number {
  try {
    const request = JSON.parse(body) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> };
    let n = 0;
    for (const rs of request.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
    return n;
  } catch {
    return 0;
  }
}

export async function startFakeCollector(fault: CollectorFault, options: { rejectFirst?: number } = {}): Promise<FakeCollector> {
  let accepted = 0;
  let requests = 0;
  let toReject = options.rejectFirst ?? 3;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      if (fault === 'hang') return; // accept, read, never answer
      if (fault === 'http500') {
        res.writeHead(500).end('collector broken');
        return;
      }
      if (fault === 'http429' && toReject > 0) {
        toReject--;
        res.writeHead(429, { 'retry-after': '0' }).end();
        return;
      }
      accepted += countSpans(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  if (fault === 'refuse') {
    // Nothing listens on the port any more: connections are refused.
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    acceptedSpans: () => accepted,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

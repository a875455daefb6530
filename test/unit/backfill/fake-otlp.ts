/** A minimal OTLP/HTTP receiver for the backfill tests: records each POST body, answers per a script. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromOtlpRequest } from '../../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';

export interface OtlpAnswer {
  status: number;
  headers?: Record<string, string>;
}

export interface FakeOtlp {
  url: string;
  /** Spans of the requests answered 2xx. */
  accepted: SpanRecord[];
  requests: number;
  close(): Promise<void>;
}

export async function startFakeOtlp(answer: (index: number) => OtlpAnswer = () => ({ status: 200 })): Promise<FakeOtlp> {
  const state = { accepted: [] as SpanRecord[], requests: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const a = answer(state.requests++);
      if (a.status >= 200 && a.status < 300) state.accepted.push(...fromOtlpRequest(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    get accepted() {
      return state.accepted;
    },
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  } as FakeOtlp;
}

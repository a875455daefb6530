/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, the demo's components also export over OTLP/HTTP (the SDK's
 * default exporter, sending OTLP/JSON). The receiver here is an in-process HTTP server speaking the
 * OTLP/HTTP protocol: it answers every POST to /v1/traces with 200 and an empty JSON response.
 * https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fromOtlpRequest } from '../../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import { runDemoFixture, removeFreshDirs } from './demo-fixture.js';

afterAll(removeFreshDirs);

let server: Server;
let endpoint = '';
const received: SpanRecord[] = [];
const paths: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      received.push(...fromOtlpRequest(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  endpoint = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

it('exports the same spans over OTLP/HTTP as it writes to spans.otlp.jsonl', async () => {
  const demo = await runDemoFixture(['--executions', '3'], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
  expect(demo.cli.stdout).toContain(`also exported over OTLP/HTTP to ${endpoint}`);
  expect(new Set(paths)).toEqual(new Set(['POST /v1/traces application/json']));
  const ids = (spans: readonly SpanRecord[]) => spans.map((s) => `${s.traceId}/${s.spanId}/${s.parentSpanId ?? ''}/${s.name}`).sort();
  expect(demo.spans.length).toBeGreaterThan(0);
  expect(ids(received)).toEqual(ids(demo.spans));
});

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, the demo's components also export over OTLP/HTTP (the SDK's
 * default exporter, sending OTLP/JSON). The receiver is the suites' in-process OTLP/HTTP receiver
 * (test/support/fake-otlp-receiver.ts), answering every POST to /v1/traces with 200.
 * https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/fake-otlp-receiver.js';
import { runDemoFixture, removeFreshDirs } from './demo-fixture.js';

afterAll(removeFreshDirs);

let receiver: OtlpReceiver;
let endpoint = '';

beforeAll(async () => {
  receiver = await startOtlpReceiver('ok');
  endpoint = receiver.url.replace(/\/v1\/traces$/, '');
});

afterAll(async () => {
  await receiver.close();
});

it('exports the same spans over OTLP/HTTP as it writes to spans.otlp.jsonl', async () => {
  const demo = await runDemoFixture(['--executions', '3'], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
  expect(demo.cli.stdout).toContain(`also exported over OTLP/HTTP to ${endpoint}`);
  expect(new Set(receiver.requestHeads())).toEqual(new Set(['POST /v1/traces application/json']));
  const ids = (spans: readonly SpanRecord[]) =>
    spans.map((s) => `${s.traceId}/${s.spanId}/${s.parentSpanId ?? ''}/${s.name}`).sort();
  expect(demo.spans.length).toBeGreaterThan(0);
  expect(receiver.rejected()).toBe(0);
  expect(ids(receiver.acceptedSpans())).toEqual(ids(demo.spans));
});

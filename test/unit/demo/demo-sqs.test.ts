/**
 * The core → orchestrator hand-over through a real SQS wire protocol: moto's server (when
 * `moto_server` is installed) with the real AWS SDK client, as the demo uses it when
 * ALAKAI_DEMO_SQS_QUEUE_URL is set. Slot contention goes through a real ChangeMessageVisibility
 * and redelivery.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { groupBy, runDemoFixture, removeFreshDirs } from './demo-fixture.js';

afterAll(removeFreshDirs);

const hasMoto = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;
let moto: ChildProcess | undefined;
let endpoint = '';
const awsEnv = (): NodeJS.ProcessEnv => ({ AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function client(): SQSClient {
  return new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

beforeAll(async () => {
  if (!hasMoto) return;
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  // Ready when it answers a real API call.
  for (let i = 0; i < 100; i++) {
    try {
      await client().send(new CreateQueueCommand({ QueueName: 'ready-check' }));
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('moto_server did not start');
});

afterAll(() => {
  if (moto?.pid) process.kill(moto.pid);
});

it.skipIf(!hasMoto)('hands work core → orchestrator through a real SQS queue, retry included', async () => {
  const { QueueUrl } = await client().send(new CreateQueueCommand({ QueueName: `alakai-demo-${Date.now()}` }));
  const demo = await runDemoFixture(['--executions', '3'], { ...awsEnv(), ALAKAI_DEMO_SQS_QUEUE_URL: QueueUrl! });
  // Nothing went through the local spool: the messages travelled through SQS.
  expect(existsSync(join(demo.dir, 'handoff', 'sqs-orchestrator.ndjson'))).toBe(false);
  const traces = groupBy(demo.summaries, (s) => String(s['trace_id']));
  expect(traces.size).toBe(3);
  const rows = [...traces.values()].map((t) => t.map((s) => `${(s['context'] as Record<string, string>)['component']}:${String(s['final_status'])}`));
  expect(rows).toEqual([
    ['core:enqueued', 'orchestrator:task_launched', 'worker:pr_opened'],
    ['core:enqueued', 'orchestrator:task_launched', 'worker:push_failed'],
    ['core:enqueued', 'orchestrator:slot_unavailable', 'orchestrator:task_launched', 'worker:pr_opened'],
  ]);
  // Spans still form one tree per execution across the real queue.
  for (const spans of groupBy(demo.spans, (s) => s.traceId).values()) {
    const ids = new Set(spans.map((s) => s.spanId));
    expect(spans.filter((s) => !s.parentSpanId)).toHaveLength(1);
    for (const s of spans) if (s.parentSpanId) expect(ids.has(s.parentSpanId)).toBe(true);
  }
  // Every message was deleted once handled.
  const attrs = await client().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  expect(attrs.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
});

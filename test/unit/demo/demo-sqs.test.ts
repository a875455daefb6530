/**
 * The core → orchestrator hand-over through a real SQS wire protocol: moto's server (when
 * `moto_server` is installed) with the real AWS SDK client, as the demo uses it when
 * ALAKAI_DEMO_SQS_QUEUE_URL is set. Slot contention goes through a real ChangeMessageVisibility
 * and redelivery.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  executionPaths,
  expectOneTreePerTrace,
  FIRST_THREE_EXECUTIONS,
  freePort,
  onPath,
  removeFreshDirs,
  runDemoFixture,
  waitUntilServing,
} from './demo-fixture.js';

afterAll(removeFreshDirs);

const hasMoto = onPath('moto_server');
let moto: ChildProcess | undefined;
let endpoint = '';
const awsEnv = (): NodeJS.ProcessEnv => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
});

function client(): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

beforeAll(async () => {
  if (!hasMoto) return;
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  // Ready when it answers a real API call.
  await waitUntilServing('moto_server', () => client().send(new CreateQueueCommand({ QueueName: 'ready-check' })));
});

afterAll(() => {
  if (moto?.pid) process.kill(moto.pid);
});

it.skipIf(!hasMoto)('hands work core → orchestrator through a real SQS queue, retry included', async () => {
  const { QueueUrl } = await client().send(new CreateQueueCommand({ QueueName: `alakai-demo-${Date.now()}` }));
  const demo = await runDemoFixture(['--executions', '3'], { ...awsEnv(), ALAKAI_DEMO_SQS_QUEUE_URL: QueueUrl! });
  // Nothing went through the local spool: the messages travelled through SQS.
  expect(existsSync(join(demo.dir, 'handoff', 'sqs-orchestrator.ndjson'))).toBe(false);
  expect(executionPaths(demo)).toEqual(FIRST_THREE_EXECUTIONS);
  // Spans still form one tree per execution across the real queue.
  expectOneTreePerTrace(demo.spans);
  // Every message was deleted once handled.
  const attrs = await client().send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  expect(attrs.Attributes).toMatchObject({
    ApproximateNumberOfMessages: '0',
    ApproximateNumberOfMessagesNotVisible: '0',
  });
});

// Alakai orchestrator, reduced: poll SQS, claim a slot, write the worker's payload to Redis (the
// guide's "ECS task (carries trace_id in Redis payload)") and "launch" the task by pushing the
// payload's key on the worker's list.
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SpanKind } from '@opentelemetry/api';
import { extractSqsContext, injectRedisPayload, withProducerSpan } from 'alakai-otel';
import { createClient } from 'redis';
import { announce, requireEnv, requireTracing } from './app-env.mjs';

const tracing = requireTracing();
const queueUrl = requireEnv('E2E_QUEUE_URL');
const workerList = requireEnv('E2E_WORKER_LIST');
const sqs = new SQSClient({});
const redis = createClient({ url: requireEnv('E2E_REDIS_URL') });
// node-redis emits 'error' on connection trouble; without a listener it would crash the process.
redis.on('error', (error) => process.stderr.write(`orchestrator: redis: ${error.message}\n`));
await redis.connect();

async function handle(message) {
  const { context, traceId } = extractSqsContext(message);
  const job = JSON.parse(message.Body ?? '{}');
  await tracing.runSlice(
    {
      event: 'coding.implementation',
      parent: context,
      traceId,
      kind: SpanKind.CONSUMER,
      steps: ['claim_slot', 'write_payload', 'launch_task'],
      fields: { repo: job.repo, task: job.task },
    },
    async (slice) => {
      await slice.step('claim_slot', () => redis.incr('alakai:e2e:slots'));
      const key = `alakai:e2e:payload:${job.task?.task_id ?? slice.traceId}`;
      await slice.step('write_payload', () =>
        withProducerSpan(tracing.tracer, { system: 'redis', destination: workerList }, async (producerContext) => {
          const payload = injectRedisPayload(
            { trace_id: job.trace_id, repo: job.repo, task: job.task, simulate_failure: job.simulate_failure },
            producerContext,
          );
          await redis.set(key, JSON.stringify(payload), { EX: 3600 });
          await redis.rPush(workerList, key);
        }),
      );
      await slice.step('launch_task', () => undefined);
      slice.finish('success', 'task_launched');
    },
  );
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
}

announce('READY');
// Until the suite sends SIGTERM (the register entry flushes spans on it, then the process ends).
for (;;) {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    }),
  );
  for (const message of out.Messages ?? []) {
    await handle(message).catch((error) => process.stderr.write(`orchestrator: ${error.message}\n`));
  }
}

/**
 * Which hand-over each component uses, from the environment: real SQS / Redis when configured,
 * the parent's relay otherwise (recorded in the demo's handoff/ folder).
 */
import type { DemoLayout } from './layout.js';
import { PipePayloadChannel, PipeSqsChannel, type PayloadChannel, type SqsChannel } from './transport.js';

const SQS_QUEUE_URL_ENV = 'ALAKAI_DEMO_SQS_QUEUE_URL';
const REDIS_URL_ENV = 'ALAKAI_DEMO_REDIS_URL';

function envValue(name: string): string | undefined {
  const v = process.env[name]?.trim();
  return v ? v : undefined;
}

/** The queue name part of a queue URL (`…/000000000000/alakai-work` → `alakai-work`). */
function queueNameOf(queueUrl: string): string {
  return queueUrl.split('/').filter(Boolean).pop() ?? queueUrl;
}

export async function openSqs(): Promise<{ channel: SqsChannel; name: string }> {
  const url = envValue(SQS_QUEUE_URL_ENV);
  if (!url) return { channel: new PipeSqsChannel(), name: 'alakai-orchestrator-work' };
  const { openSqsChannel } = await import('./sqs-channel.js');
  return { channel: await openSqsChannel(url), name: queueNameOf(url) };
}

export async function openRedis(runId: string): Promise<{ channel: PayloadChannel; name: string }> {
  const url = envValue(REDIS_URL_ENV);
  // The span names the logical destination (stable across runs); the real list key is per run,
  // so two demos sharing one Redis never take each other's work.
  const name = 'alakai-worker-tasks';
  if (!url) return { channel: new PipePayloadChannel(), name };
  const { openRedisChannel } = await import('./redis-channel.js');
  return { channel: await openRedisChannel(url, `alakai-demo:worker-tasks:${runId}`), name };
}

export function describeTransports(layout: DemoLayout): string {
  const queueUrl = envValue(SQS_QUEUE_URL_ENV);
  const sqs = queueUrl ? `SQS ${queueUrl}` : layout.sqsSpool;
  const redis = envValue(REDIS_URL_ENV) ? `Redis (${REDIS_URL_ENV})` : layout.redisSpool;
  return `core → orchestrator via ${sqs}; orchestrator → worker via ${redis}`;
}

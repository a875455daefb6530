/**
 * The fixture factory: a running Alakai (core, orchestrator, worker as separate processes) wired to
 * the peers — its own SQS queue in moto and Redis list per run, so runs never see each other's
 * messages — and a way to drive executions through it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startApp, type Component, type RunningApp } from './apps.js';
import { pullRequestMergedPayload, sendWebhook } from './github-webhook.js';
import { awsClientConfig, type PeersEnv } from './peers-env.js';
import { pollUntil } from './poll.js';

export const COMPONENTS: readonly Component[] = ['core', 'orchestrator', 'worker'];
export const SERVICE_OF: Readonly<Record<Component, string>> = {
  core: 'alakai-core',
  orchestrator: 'alakai-orchestrator',
  worker: 'alakai-worker',
};

export interface Execution {
  /** The x-github-delivery UUID = the Alakai trace_id. */
  deliveryId: string;
  /** Its OTel form: the UUID's 32 hex digits. */
  traceHex: string;
  httpStatus: number;
  /** Each component's summary event for this execution. */
  summaries: Record<Component, Record<string, unknown>>;
}

export interface AlakaiSystem {
  runId: string;
  apps: Record<Component, RunningApp>;
  /** Sends a signed webhook and waits for all three summary events of its execution. */
  execute(options?: { failInWorker?: boolean }): Promise<Execution>;
  /** Every stdout line a component wrote (what its log group would hold). */
  linesOf(component: Component): string[];
  stop(): Promise<void>;
}

export async function startAlakaiSystem(peers: PeersEnv): Promise<AlakaiSystem> {
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const secret = randomBytes(20).toString('hex');
  const sqs = new SQSClient(awsClientConfig(peers));
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: `alakai-e2e-${runId}` }));
  const queueUrl = queue.QueueUrl!;
  const env = {
    E2E_WEBHOOK_SECRET: secret,
    E2E_QUEUE_URL: queueUrl,
    E2E_REDIS_URL: peers.redisUrl,
    E2E_WORKER_LIST: `alakai:e2e:${runId}:worker`,
  };
  const started: RunningApp[] = [];
  try {
    for (const component of COMPONENTS) started.push(await startApp({ component, peers, env }));
  } catch (error) {
    await Promise.all(started.map((app) => app.stop()));
    throw error;
  }
  const apps = Object.fromEntries(started.map((app) => [app.component, app])) as Record<Component, RunningApp>;
  const coreUrl = `http://127.0.0.1:${apps.core.announced}`;

  const summariesFor = (deliveryId: string) => {
    const found: Partial<Record<Component, Record<string, unknown>>> = {};
    for (const component of COMPONENTS) {
      const mine = apps[component].summaryEvents().filter((e) => e.trace_id === deliveryId);
      if (mine.length > 1) throw new Error(`${component} wrote ${mine.length} summary events for ${deliveryId}`);
      if (mine[0]) found[component] = mine[0];
    }
    return found;
  };

  return {
    runId,
    apps,
    async execute(options = {}) {
      const delivery = await sendWebhook(coreUrl, {
        secret,
        payload: pullRequestMergedPayload(randomUUID(), options.failInWorker ?? false),
      });
      const summaries = await pollUntil(
        async () => {
          const found = summariesFor(delivery.id);
          return COMPONENTS.every((c) => found[c]) ? (found as Record<Component, Record<string, unknown>>) : undefined;
        },
        { what: `summary events of ${delivery.id} from core, orchestrator and worker`, timeoutMs: 30_000 },
      ).catch((error: Error) => {
        const stderr = COMPONENTS.map((c) => `${c} stderr: ${apps[c].stderr().slice(-800)}`).join('\n');
        throw new Error(`${error.message}; seen: ${JSON.stringify(Object.keys(summariesFor(delivery.id)))}\n${stderr}`);
      });
      return {
        deliveryId: delivery.id,
        traceHex: delivery.id.replaceAll('-', ''),
        httpStatus: delivery.status,
        summaries,
      };
    },
    linesOf: (component) => apps[component].lines(),
    async stop() {
      await Promise.all(started.map((app) => app.stop()));
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
      sqs.destroy();
    },
  };
}

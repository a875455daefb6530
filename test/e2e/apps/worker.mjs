// Alakai worker, reduced: take the launched task's payload from Redis and "implement" it. A payload
// with simulate_failure makes the agent step throw (the e2e suite's error scenario).
import { SpanKind } from '@opentelemetry/api';
import { extractRedisContext } from 'alakai-otel';
import { createClient } from 'redis';
import { announce, requireEnv, requireTracing } from './app-env.mjs';

const tracing = requireTracing();
const workerList = requireEnv('E2E_WORKER_LIST');
const redis = createClient({ url: requireEnv('E2E_REDIS_URL') });
redis.on('error', (error) => process.stderr.write(`worker: redis: ${error.message}\n`));
await redis.connect();

class AgentError extends Error {
  name = 'AgentError';
}

async function handle(key) {
  const text = await redis.get(key);
  const { context, traceId } = extractRedisContext(text ?? '');
  const payload = JSON.parse(text ?? '{}');
  await tracing.runSlice(
    {
      event: 'coding.implementation',
      parent: context,
      traceId,
      kind: SpanKind.CONSUMER,
      steps: ['clone_repo', 'run_agent', 'open_pull_request'],
      fields: { repo: payload.repo, task: payload.task },
    },
    async (slice) => {
      await slice.step('clone_repo', () => undefined);
      try {
        await slice.step('run_agent', () => {
          if (payload.simulate_failure) throw new AgentError('agent exited with status 1');
        });
      } catch (error) {
        slice.finish('error', 'agent_failed', error);
        return;
      }
      await slice.step('open_pull_request', () => undefined);
      slice.set({
        pull_request: { url: `https://github.com/${payload.repo?.full_name}/pull/7`, number: 7 },
        agent: { provider: 'e2e', model: 'none' },
      });
      slice.finish('success', 'completed');
    },
  );
}

announce('READY');
for (;;) {
  const popped = await redis.blPop(workerList, 1);
  if (popped) await handle(popped.element).catch((error) => process.stderr.write(`worker: ${error.message}\n`));
}

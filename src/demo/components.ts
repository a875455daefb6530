/**
 * The three services of the guide's flow, reduced to what the demo needs: each runs its planned
 * slices with nothing but the SDK's runSlice/step/finish and the propagation helpers, as a real
 * service would. The work inside steps is a short sleep; failures, skips and slot contention come
 * from the plan (scenarios.ts), so every process agrees on what happens without sharing state.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind } from '@opentelemetry/api';
import type { Component } from '../contract/summary-event.js';
import { withProducerSpan } from '../sdk/propagation/producer.js';
import { extractRedisContext, injectRedisPayload } from '../sdk/propagation/redis.js';
import { extractSqsContext, injectSqsAttributes } from '../sdk/propagation/sqs.js';
import type { AlakaiTracing } from '../sdk/setup.js';
import type { Slice } from '../sdk/slice.js';
import { indexByTaskId, type DemoExecution, type SlicePlan } from './scenarios.js';
import { parseWorkOrder, parseWorkerPayload, type WorkOrder } from './handoff.js';
import type { PayloadChannel, SqsChannel } from './transport.js';

export interface ComponentEnv {
  tracing: AlakaiTracing;
  plan: readonly DemoExecution[];
  runId: string;
  sqs: SqsChannel;
  redis: PayloadChannel;
  /** Names used as `messaging.destination.name`. */
  queueName: string;
  listKey: string;
}

/** An error whose class name is the planned `error.type` (the SDK reads the class name). */
function plannedError(type: string, message: string): Error {
  const ErrorClass = { [type]: class extends Error {} }[type]!;
  const err = new ErrorClass(message);
  err.name = type;
  return err;
}

/** Runs the plan's steps in order; the extra work of a step (a hand-over) runs after its sleep. */
async function runPlannedSlice(
  slice: Slice,
  plan: SlicePlan,
  work: Partial<Record<string, () => Promise<void>>> = {},
  onSkip: () => Promise<void> = async () => {},
): Promise<void> {
  slice.set(plan.fields);
  for (const step of plan.steps) {
    try {
      await slice.step(step, async () => {
        await sleep(plan.stepMs[step] ?? 1);
        if (plan.failure?.step === step) throw plannedError(plan.failure.errorType, plan.failure.message);
        await work[step]?.();
      });
    } catch (err) {
      // Declared steps after this one never run: the summary shows them as "-". An unplanned
      // failure (a real queue that is down) gets its own final_status, not the planned one.
      slice.finish('error', plan.failure?.step === step ? plan.finalStatus : `${step}_failed`, err);
      return;
    }
    if (plan.skipAfter === step) {
      await onSkip();
      slice.finish('skipped', plan.finalStatus);
      return;
    }
  }
  slice.finish(plan.outcome, plan.finalStatus);
}

function stepLog(env: ComponentEnv, component: Component, traceId: string, fields: object, msg: string): void {
  env.tracing.logger.info({ trace_id: traceId, context: { trace_id: traceId, component }, ...fields }, msg);
}

/** core: one inbound Slack command or GitHub webhook per execution; implementations go on to SQS. */
export async function runCore(env: ComponentEnv): Promise<void> {
  const { tracing } = env;
  for (const execution of env.plan) {
    // GitHub: the x-github-delivery UUID; Slack: a UUIDv4 made when the request enters the handler.
    // Both are random UUIDs, so this is the only value that differs between two runs of one seed.
    const traceId = randomUUID();
    const plan = execution.core;
    await tracing.runSlice(
      { event: execution.event, traceId, steps: [...plan.steps], kind: SpanKind.SERVER },
      (slice) =>
        runPlannedSlice(slice, plan, {
          enqueue: async () => {
            const order: WorkOrder = {
              run_id: env.runId,
              task_id: execution.taskId,
              event: execution.event,
              repo: plan.fields['repo'],
              task: plan.fields['task'],
            };
            await withProducerSpan(
              tracing.tracer,
              { system: 'aws_sqs', destination: env.queueName },
              async (context, span) => {
                const attributes = injectSqsAttributes(
                  { run_id: { DataType: 'String', StringValue: env.runId } },
                  context,
                );
                const messageId = await env.sqs.send(JSON.stringify(order), attributes);
                span.setAttribute('messaging.message.id', messageId);
                stepLog(
                  env,
                  'core',
                  slice.traceId,
                  { task_id: execution.taskId, message_id: messageId },
                  'work order sent to the orchestrator queue',
                );
              },
            );
          },
        }),
    );
  }
}

/** How many deliveries the plan expects a component to handle: it stops when all are done. */
function expectedTasks(plan: readonly DemoExecution[], component: 'orchestrator' | 'worker'): Set<string> {
  return new Set(
    plan.filter((e) => (component === 'worker' ? e.worker : e.orchestrator.length > 0)).map((e) => e.taskId),
  );
}

/** orchestrator: consumes the SQS work orders, takes a slot, launches the worker task via Redis. */
export async function runOrchestrator(env: ComponentEnv): Promise<void> {
  const { tracing } = env;
  const byTask = indexByTaskId(env.plan);
  const pending = expectedTasks(env.plan, 'orchestrator');
  const attempts = new Map<string, number>();
  while (pending.size > 0) {
    const delivery = await env.sqs.receive();
    if (!delivery) throw new Error(`${pending.size} work order(s) never arrived on ${env.sqs.description}`);
    const order = parseWorkOrder(delivery.message.Body);
    if (order.run_id !== env.runId) continue; // another demo run's message: not ours to touch
    const execution = byTask.get(order.task_id);
    if (!execution || !pending.has(order.task_id)) {
      await env.sqs.delete(delivery);
      continue;
    }
    const attempt = attempts.get(order.task_id) ?? 0;
    attempts.set(order.task_id, attempt + 1);
    const plan = execution.orchestrator[Math.min(attempt, execution.orchestrator.length - 1)]!;
    const carried = extractSqsContext(delivery.message);
    await tracing.runSlice(
      {
        event: order.event,
        parent: carried.context,
        traceId: carried.traceId,
        steps: [...plan.steps],
        kind: SpanKind.CONSUMER,
      },
      (slice) =>
        runPlannedSlice(
          slice,
          plan,
          {
            launch_task: async () => {
              await withProducerSpan(tracing.tracer, { system: 'redis', destination: env.listKey }, async (context) => {
                const work: Record<string, unknown> = { ...order, attempt: attempt + 1 };
                const payload = injectRedisPayload(work, context);
                await env.redis.push(JSON.stringify(payload));
              });
              await env.sqs.delete(delivery);
              pending.delete(order.task_id);
            },
          },
          async () => {
            // No free slot: hand the message back so SQS redelivers it (the retry).
            await env.sqs.release(delivery);
            stepLog(
              env,
              'orchestrator',
              slice.traceId,
              { task_id: order.task_id, receive_count: delivery.receiveCount },
              'no free slot, message returned to the queue',
            );
          },
        ),
    );
  }
}

/** worker: one ECS task per payload; clones, runs the agent, pushes, opens the pull request. */
export async function runWorker(env: ComponentEnv): Promise<void> {
  const { tracing } = env;
  const byTask = indexByTaskId(env.plan);
  const pending = expectedTasks(env.plan, 'worker');
  while (pending.size > 0) {
    const text = await env.redis.pop();
    if (text === undefined) throw new Error(`${pending.size} payload(s) never arrived on ${env.redis.description}`);
    const payload = parseWorkerPayload(text);
    if (payload.run_id !== env.runId) continue;
    const plan = byTask.get(payload.task_id)?.worker;
    if (!plan || !pending.delete(payload.task_id)) continue;
    const carried = extractRedisContext(payload);
    await tracing.runSlice(
      {
        event: payload.event,
        parent: carried.context,
        traceId: carried.traceId,
        steps: [...plan.steps],
        kind: SpanKind.CONSUMER,
      },
      (slice) =>
        runPlannedSlice(slice, plan, {
          run_agent: async () => {
            const agent = plan.fields['agent'];
            stepLog(env, 'worker', slice.traceId, { task_id: payload.task_id, agent }, 'agent run finished');
          },
        }),
    );
  }
}

export const COMPONENT_RUNNERS: Readonly<Record<Component, (env: ComponentEnv) => Promise<void>>> = {
  core: runCore,
  orchestrator: runOrchestrator,
  worker: runWorker,
};

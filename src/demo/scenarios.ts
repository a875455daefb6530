/**
 * The demo's executions, derived from the seed alone: every process (the parent and the three
 * components) rebuilds the same plan from `--seed` and `--executions`, so no process has to trust
 * the others for what should happen, and two runs with one seed differ only in ids and clock times.
 *
 * Events, emitters, steps and fields follow the guide's catalog (execution-tracing-guide.txt,
 * "Event catalog" and "Event JSON structure"); core-only events stop at core.
 */
import type { Outcome } from '../contract/summary-event.js';
import { SeededRandom } from './prng.js';

export const DEFAULT_SEED = 20260505;
export const DEFAULT_EXECUTIONS = 9;
export const MAX_EXECUTIONS = 200;

/** One planned failure: the step that throws, and the error it throws. */
export interface PlannedFailure {
  step: string;
  /** Class name of the thrown error (becomes `error.type`). */
  errorType: string;
  /** Raw message, before the SDK sanitizes it (may hold a fake secret). */
  message: string;
}

export interface SlicePlan {
  steps: readonly string[];
  outcome: Outcome;
  finalStatus: string;
  /** outcome error: the step that throws; declared steps after it never run ("-"). */
  failure?: PlannedFailure;
  /** outcome skipped: the last step that runs before the slice gives up. */
  skipAfter?: string;
  /** Simulated work per step, milliseconds (kept small: the whole demo runs in seconds). */
  stepMs: Readonly<Record<string, number>>;
  /** Domain fields this slice adds (nested objects, as the guide's queries read them). */
  fields: Readonly<Record<string, unknown>>;
}

export type ScenarioKind =
  | 'implementation_success'
  | 'implementation_worker_error'
  | 'implementation_slot_contention'
  | 'prompt_success'
  | 'clickup_ask_skipped'
  | 'clickup_task_invalid'
  | 'issue_prompt_success'
  | 'github_implementation_success'
  | 'implementation_no_changes';

export interface DemoExecution {
  event: string;
  /** Deterministic id that joins the plan to the messages (the trace id itself is random). */
  taskId: string;
  core: SlicePlan;
  /** One slice per delivery of the SQS message: slot contention makes two. Empty for core-only events. */
  orchestrator: SlicePlan[];
  worker?: SlicePlan;
}

/**
 * The first executions cover the whole outcome mix in a fixed order (so the default run always
 * shows it); later ones are drawn from the seed.
 */
const ROTATION: readonly ScenarioKind[] = [
  'implementation_success',
  'implementation_worker_error',
  'implementation_slot_contention',
  'prompt_success',
  'clickup_ask_skipped',
  'clickup_task_invalid',
  'issue_prompt_success',
  'github_implementation_success',
  'implementation_no_changes',
];

const REPOS = ['acme/payments-api', 'acme/web-app', 'acme/infra', 'acme/mobile-app', 'acme/data-pipeline'];
const AGENTS: readonly { provider: string; model: string }[] = [
  { provider: 'anthropic', model: 'claude-sonnet-4-5' },
  { provider: 'anthropic', model: 'claude-opus-4-1' },
  { provider: 'openai', model: 'gpt-5-codex' },
];

const CORE_SLACK_STEPS = ['verify_signature', 'parse_command', 'validate_args', 'enqueue'];
const CORE_GITHUB_STEPS = ['verify_signature', 'parse_event', 'validate_args', 'enqueue'];
const ORCHESTRATOR_STEPS = ['receive', 'acquire_slot', 'launch_task'];
const WORKER_STEPS = ['clone_repo', 'run_agent', 'push_branch', 'open_pull_request'];

function stepTimes(rng: SeededRandom, steps: readonly string[], slow: readonly string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of steps) out[s] = slow.includes(s) ? rng.int(25, 60) : rng.int(2, 12);
  return out;
}

function slice(
  rng: SeededRandom,
  steps: readonly string[],
  rest: Omit<SlicePlan, 'steps' | 'stepMs'>,
  slow: readonly string[] = [],
): SlicePlan {
  return { steps, stepMs: stepTimes(rng, steps, slow), ...rest };
}

/** A fake GitHub token (right shape, never valid): the worker's error message carries it so the demo shows it redacted. */
function fakeGithubToken(rng: SeededRandom): string {
  let body = '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  while (body.length < 36) body += alphabet[rng.int(0, alphabet.length - 1)];
  return `ghp_${body}`;
}

function buildExecution(rng: SeededRandom, kind: ScenarioKind): DemoExecution {
  const repoName = rng.pick(REPOS);
  const repo = { full_name: repoName, base_ref: 'main' };
  const agent = rng.pick(AGENTS);
  const taskId = `tsk_${rng.hex(12)}`;
  const slack = { user_id: `U${rng.upperAlnum(10)}`, channel_id: `C${rng.upperAlnum(10)}` };
  const prNumber = rng.int(100, 4999);
  const pullRequest = { url: `https://github.com/${repoName}/pull/${prNumber}`, number: prNumber };
  const branch = `alakai/${taskId}`;

  const slackImplementation = {
    repo,
    task: { task_id: taskId, task_type: 'implementation', source: 'slack_implement' },
    slack,
  };
  const coreEnqueued = (fields: Record<string, unknown>, steps = CORE_SLACK_STEPS) =>
    slice(rng, steps, { outcome: 'success', finalStatus: 'enqueued', fields });
  const orchestratorLaunched = () =>
    slice(rng, ORCHESTRATOR_STEPS, {
      outcome: 'success',
      finalStatus: 'task_launched',
      fields: { repo, task: { task_id: taskId } },
    });
  const workerFields = { repo, task: { task_id: taskId, branch }, agent };

  switch (kind) {
    case 'implementation_success':
      return {
        event: 'slack.implementation',
        taskId,
        core: coreEnqueued(slackImplementation),
        orchestrator: [orchestratorLaunched()],
        worker: slice(
          rng,
          WORKER_STEPS,
          { outcome: 'success', finalStatus: 'pr_opened', fields: { ...workerFields, pull_request: pullRequest } },
          ['run_agent'],
        ),
      };
    case 'implementation_worker_error': {
      const token = fakeGithubToken(rng);
      const fields = { repo, task: { task_id: taskId, task_type: 'implementation', source: 'github_prompt_pr' } };
      return {
        event: 'coding.implementation',
        taskId,
        core: coreEnqueued(fields, CORE_GITHUB_STEPS),
        orchestrator: [orchestratorLaunched()],
        worker: slice(
          rng,
          WORKER_STEPS,
          {
            outcome: 'error',
            finalStatus: 'push_failed',
            failure: {
              step: 'push_branch',
              errorType: 'GitPushError',
              message: `git push failed: remote: Invalid username or password. fatal: Authentication failed for 'https://x-access-token:${token}@github.com/${repoName}.git/'`,
            },
            fields: workerFields,
          },
          ['run_agent'],
        ),
      };
    }
    case 'implementation_slot_contention':
      return {
        event: 'slack.implementation',
        taskId,
        core: coreEnqueued(slackImplementation),
        orchestrator: [
          slice(rng, ORCHESTRATOR_STEPS, {
            outcome: 'skipped',
            finalStatus: 'slot_unavailable',
            skipAfter: 'acquire_slot',
            fields: { repo, task: { task_id: taskId }, slot: { pool: 'implementation', in_use: 4, capacity: 4 } },
          }),
          slice(rng, ORCHESTRATOR_STEPS, {
            outcome: 'success',
            finalStatus: 'task_launched',
            fields: { repo, task: { task_id: taskId }, slot: { pool: 'implementation', in_use: 3, capacity: 4 } },
          }),
        ],
        worker: slice(
          rng,
          WORKER_STEPS,
          { outcome: 'success', finalStatus: 'pr_opened', fields: { ...workerFields, pull_request: pullRequest } },
          ['run_agent'],
        ),
      };
    case 'prompt_success':
      return {
        event: 'slack.prompt',
        taskId,
        orchestrator: [],
        core: slice(
          rng,
          ['verify_signature', 'parse_command', 'validate_args', 'run_prompt', 'reply'],
          {
            outcome: 'success',
            finalStatus: 'answered',
            fields: { repo, task: { task_id: taskId, task_type: 'prompt', source: 'slack_prompt' }, slack, agent },
          },
          ['run_prompt'],
        ),
      };
    case 'clickup_ask_skipped':
      return {
        event: 'slack.clickup.ask',
        taskId,
        orchestrator: [],
        core: slice(rng, ['verify_signature', 'parse_command', 'validate_args', 'search_tasks', 'reply'], {
          outcome: 'skipped',
          finalStatus: 'duplicate_request',
          skipAfter: 'parse_command',
          fields: { task: { task_id: taskId, task_type: 'clickup_ask', source: 'slack_clickup_ask' }, slack },
        }),
      };
    case 'clickup_task_invalid':
      return {
        event: 'slack.clickup.task',
        taskId,
        orchestrator: [],
        core: slice(rng, ['verify_signature', 'parse_command', 'validate_args', 'upsert_task', 'reply'], {
          outcome: 'error',
          finalStatus: 'invalid_args',
          failure: {
            step: 'validate_args',
            errorType: 'ValidationError',
            message: 'list_id is required: use /clickup-task <list_id> <title>',
          },
          fields: { task: { task_id: taskId, task_type: 'clickup_task', source: 'slack_clickup_task' }, slack },
        }),
      };
    case 'issue_prompt_success':
      return {
        event: 'coding.prompt',
        taskId,
        orchestrator: [],
        core: slice(rng, ['verify_signature', 'parse_event', 'render_prompt', 'commit_prompt'], {
          outcome: 'success',
          finalStatus: 'prompt_committed',
          fields: {
            repo,
            task: { task_id: taskId, task_type: 'prompt', source: 'github_issue' },
            issue: { number: rng.int(10, 999) },
          },
        }),
      };
    case 'github_implementation_success':
      return {
        event: 'coding.implementation',
        taskId,
        core: coreEnqueued(
          { repo, task: { task_id: taskId, task_type: 'implementation', source: 'github_prompt_pr' } },
          CORE_GITHUB_STEPS,
        ),
        orchestrator: [orchestratorLaunched()],
        worker: slice(
          rng,
          WORKER_STEPS,
          { outcome: 'success', finalStatus: 'pr_opened', fields: { ...workerFields, pull_request: pullRequest } },
          ['run_agent'],
        ),
      };
    case 'implementation_no_changes':
      return {
        event: 'slack.implementation',
        taskId,
        core: coreEnqueued(slackImplementation),
        orchestrator: [orchestratorLaunched()],
        worker: slice(
          rng,
          WORKER_STEPS,
          { outcome: 'skipped', finalStatus: 'no_changes', skipAfter: 'run_agent', fields: workerFields },
          ['run_agent'],
        ),
      };
  }
}

export function planExecutions(seed: number, executions: number): DemoExecution[] {
  const rng = new SeededRandom(seed);
  const out: DemoExecution[] = [];
  for (let i = 0; i < executions; i++) {
    const kind = i < ROTATION.length ? ROTATION[i]! : rng.pick(ROTATION);
    out.push(buildExecution(rng, kind));
  }
  return out;
}

/** The plan's executions by task id: how a component finds its part for a message it received. */
export function indexByTaskId(plan: readonly DemoExecution[]): Map<string, DemoExecution> {
  return new Map(plan.map((e) => [e.taskId, e]));
}

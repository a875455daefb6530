/**
 * A deterministic model of Alakai traffic for the backfill benchmarks: executions as the guide
 * describes them (execution-tracing-guide.txt, "How it works" and "Event catalog"), each turned
 * into the log lines the three services print — summary events (legacy form, no span ids: the
 * history the backfill exists for) and step-level lines carrying the same trace_id.
 *
 * Shape per execution (chosen to look like the guide's runbook, and stated in docs/benchmarks.md):
 * - half are core-only events (coding.prompt, slack.prompt, slack.clickup.ask, slack.clickup.task);
 * - half are implementations (coding.implementation, slack.implementation): core → orchestrator
 *   (10% hit `slot_unavailable` one or two times first) → worker (success, error or skipped);
 * - step lines: core 0–1, orchestrator 1, worker 2–4 — about 1.3 step lines per summary event.
 */
import { SeededRandom } from '../../src/demo/prng.js';

export interface LogLine {
  /** Epoch milliseconds the line is stamped with. */
  timeMs: number;
  /** Tie-breaker so the merge order of lines with the same millisecond is stable. */
  seq: number;
  /** The line's object, in the key order pino prints it (level, time, pid, hostname, bindings, fields, msg). */
  fields: Record<string, unknown>;
  isSummary: boolean;
}

type Component = 'core' | 'orchestrator' | 'worker';

const SERVICE: Record<Component, string> = {
  core: 'alakai-core',
  orchestrator: 'alakai-orchestrator',
  worker: 'alakai-worker-implementation',
};
const STEPS: Record<Component, readonly string[]> = {
  core: ['verify_signature', 'parse_command', 'validate_args', 'enqueue'],
  orchestrator: ['dequeue', 'acquire_slot', 'launch_task'],
  worker: ['read_payload', 'clone_repo', 'run_agent', 'push_branch', 'open_pull_request'],
};
const CORE_ONLY_EVENTS = ['coding.prompt', 'slack.prompt', 'slack.clickup.ask', 'slack.clickup.task'] as const;
const IMPLEMENTATION_EVENTS = ['coding.implementation', 'slack.implementation'] as const;
const REPOS = ['alakai/core', 'alakai/orchestrator', 'alakai/worker', 'acme/web', 'acme/api', 'acme/infra', 'globex/mobile'];
const MODELS = [
  ['anthropic', 'claude-sonnet-4-5'],
  ['anthropic', 'claude-opus-4-1'],
  ['openai', 'gpt-5'],
] as const;
const ERRORS = [
  ['GitCloneError', 'git clone failed: repository not found or access denied'],
  ['AgentTimeoutError', 'agent exceeded the 900 s budget'],
  ['RateLimitError', 'GitHub API rate limit exceeded; retry after 60 s'],
  ['ValidationError', 'prompt file docs/prompts/feature.md has no task section'],
] as const;
/** Hostnames per component: a few ECS tasks each, as pino's `hostname` base field. */
const HOSTS: Record<Component, readonly string[]> = {
  core: ['ip-10-0-1-17', 'ip-10-0-2-41'],
  orchestrator: ['ip-10-0-1-88'],
  worker: ['ip-10-0-3-5', 'ip-10-0-3-9', 'ip-10-0-4-12', 'ip-10-0-4-30'],
};

function uuidV4(rng: SeededRandom): string {
  const h = rng.hex(32);
  // Version 4 and the RFC 4122 variant, like crypto.randomUUID() and GitHub's delivery ids.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Builds the lines of executions one at a time; `next(startMs)` returns one execution's lines. */
export class ExecutionModel {
  private readonly rng: SeededRandom;
  private seq = 0;

  constructor(seed: number) {
    this.rng = new SeededRandom(seed);
  }

  next(startMs: number): LogLine[] {
    const rng = this.rng;
    const traceId = uuidV4(rng);
    const lines: LogLine[] = [];
    const repo = { full_name: rng.pick(REPOS), base_ref: 'main' };
    const isSlack = rng.next() < 0.5;
    const slack = isSlack ? { user_id: `U${rng.upperAlnum(10)}`, channel_id: `C${rng.upperAlnum(10)}` } : undefined;
    const task = { task_id: `tsk_${rng.hex(12)}`, task_type: 'implementation', source: isSlack ? 'slack_implement' : 'github_pr_merged' };

    if (rng.next() < 0.5) {
      const event = rng.pick(CORE_ONLY_EVENTS);
      const t = { ...task, task_type: 'prompt', source: event.startsWith('slack') ? 'slack_command' : 'github_issue' };
      this.slice(lines, 'core', traceId, event, startMs, rng.int(80, 2500), { repo, task: t, ...(slack ? { slack } : {}) }, rng.int(0, 1));
      return lines;
    }

    const event = rng.pick(IMPLEMENTATION_EVENTS);
    let t = startMs;
    const coreMs = rng.int(120, 1800);
    const coreOk = this.slice(lines, 'core', traceId, event, t, coreMs, { repo, task, ...(slack ? { slack } : {}) }, rng.int(0, 1));
    if (!coreOk) return lines;
    t += coreMs + rng.int(20, 900); // SQS hop

    // Slot contention: the orchestrator logs `slot_unavailable` and the message comes back later.
    const retries = rng.next() < 0.1 ? rng.int(1, 2) : 0;
    for (let i = 0; i < retries; i++) {
      const ms = rng.int(30, 300);
      this.slice(lines, 'orchestrator', traceId, event, t, ms, { repo, task }, 1, 'slot_unavailable');
      t += ms + rng.int(5_000, 30_000); // SQS visibility timeout before the retry
    }
    const orchMs = rng.int(400, 4000);
    const ecsTask = { task_arn: `arn:aws:ecs:us-east-1:123456789012:task/alakai/${rng.hex(32)}` };
    const orchOk = this.slice(lines, 'orchestrator', traceId, event, t, orchMs, { repo, task, ecs: ecsTask }, 1);
    if (!orchOk) return lines;
    t += orchMs + rng.int(5_000, 40_000); // ECS task start

    const [provider, model] = rng.pick(MODELS);
    // Worker slices run minutes; 5% run past the guide's 5-minute "slow" threshold.
    const workerMs = rng.next() < 0.05 ? rng.int(300_000, 900_000) : rng.int(20_000, 300_000);
    const prNumber = rng.int(100, 9999);
    this.slice(
      lines,
      'worker',
      traceId,
      event,
      t,
      workerMs,
      {
        repo,
        task,
        agent: { provider, model },
        pull_request: { url: `https://github.com/${repo.full_name}/pull/${prNumber}`, number: prNumber },
      },
      rng.int(2, 4),
    );
    return lines;
  }

  /** Appends one slice's step lines and summary event; returns whether the flow continues. */
  private slice(
    out: LogLine[],
    component: Component,
    traceId: string,
    event: string,
    startMs: number,
    durationMs: number,
    domain: Record<string, unknown>,
    stepLines: number,
    forcedStatus?: string,
  ): boolean {
    const rng = this.rng;
    const host = rng.pick(HOSTS[component]);
    const pid = 7;
    const steps = STEPS[component];
    const roll = rng.next();
    const outcome: 'success' | 'error' | 'skipped' =
      forcedStatus !== undefined ? 'skipped' : roll < 0.88 ? 'success' : roll < 0.97 ? 'error' : 'skipped';
    // Which step failed (error) or where the slice stopped (skipped); later steps show "-".
    const stopAt = outcome === 'success' ? steps.length : rng.int(0, steps.length - 1);
    const stepMap: Record<string, string> = {};
    steps.forEach((name, i) => {
      stepMap[name] = i < stopAt ? 'ok' : i === stopAt && outcome === 'error' ? 'error' : '-';
    });
    const context = { trace_id: traceId, component };
    // What pino writes first on every line of this slice (`time` is filled in when the line is written).
    const lineHead = { level: 30, time: '', pid, hostname: host, service: SERVICE[component], component, trace_id: traceId };
    for (let i = 0; i < stepLines; i++) {
      const step = steps[Math.min(i, steps.length - 1)]!;
      out.push({
        timeMs: startMs + Math.floor(((i + 1) * durationMs) / (stepLines + 2)),
        seq: this.seq++,
        isSummary: false,
        fields: {
          ...lineHead,
          context,
          step,
          msg: `${step}: ${component === 'worker' ? `working on ${String((domain['repo'] as { full_name: string }).full_name)}` : 'started'}`,
        },
      });
    }
    let error: { type: string; message: string } | null = null;
    if (outcome === 'error') {
      const [type, message] = rng.pick(ERRORS);
      error = { type, message };
    }
    const finalStatus =
      forcedStatus ?? (outcome === 'success' ? 'completed' : outcome === 'error' ? 'failed' : 'no_changes');
    const endMs = startMs + durationMs;
    out.push({
      timeMs: endMs,
      seq: this.seq++,
      isSummary: true,
      fields: {
        ...lineHead,
        event,
        outcome,
        final_status: finalStatus,
        duration_ms: durationMs,
        context,
        steps: stepMap,
        error,
        ...domain,
        msg: `[event] ${event} -> ${outcome}`,
      },
    });
    return outcome === 'success' || forcedStatus !== undefined;
  }
}

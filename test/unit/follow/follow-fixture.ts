/**
 * The one fixture factory of the follow tests: seeded executions shaped like the guide's (core →
 * orchestrator, with `slot_unavailable` retries → worker), each service logging legacy summary
 * events or bridged ones (a partial rollout: the mode is per service), step-level lines inside the
 * slices and duplicated lines; their delivery as three streams that each keep their own order, with
 * random delays; the assembler driven over them on a fake clock; and the batch backfill (the real
 * runBackfill over the same lines as three NDJSON files) to compare with.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackfill } from '../../../src/backfill/run-backfill.js';
import type { SpanSink } from '../../../src/backfill/sinks/span-sink.js';
import { fileSources } from '../../../src/backfill/sources/open-sources.js';
import { encodeOtlpJsonLine } from '../../../src/contract/otlp-json.js';
import { componentResource } from '../../../src/contract/resource.js';
import { SPAN_KIND, STATUS_CODE, type SpanRecord } from '../../../src/contract/span-record.js';
import { sliceToSummaryEvent } from '../../../src/contract/spans-to-event.js';
import { SeededRandom } from '../../../src/demo/prng.js';
import { compareSpans } from '../../../src/backfill/assembly/build-trace.js';
import { FollowAssembler } from '../../../src/follow/follow-assembler.js';
import type { FollowAssemblerOptions } from '../../../src/follow/follow-types.js';

export type Component = 'core' | 'orchestrator' | 'worker';
export const COMPONENTS: readonly Component[] = ['core', 'orchestrator', 'worker'];
const SERVICES: Record<Component, string> = {
  core: 'alakai-core',
  orchestrator: 'alakai-orchestrator',
  worker: 'alakai-worker-implementation',
};

export interface WrittenLine {
  component: Component;
  /** When the service wrote it (epoch ms): a summary event at its slice's end. */
  writeMs: number;
  text: string;
}

export interface Arrival {
  line: WrittenLine;
  atMs: number;
}

export type Mode = 'legacy' | 'bridged';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function uuid(r: SeededRandom): string {
  const h = r.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${r.pick(['8', '9', 'a', 'b'])}${h.slice(17, 20)}-${h.slice(20)}`;
}

interface SliceSpec {
  component: Component;
  startMs: number;
  durationMs: number;
  outcome: 'success' | 'error' | 'skipped';
  finalStatus: string;
  steps: Record<string, string>;
  error?: { type: string; message: string };
}

/**
 * One execution's lines, in write order per service. `modes` says per service whether it logs by
 * hand (legacy) or through the bridge (bridged: span ids and the `otel` extension in the line).
 */
export function execution(r: SeededRandom, t0: number, modes: Record<Component, Mode>): WrittenLine[] {
  const id = uuid(r);
  const hex = id.replace(/-/g, '');
  const event = r.pick(['slack.implementation', 'coding.implementation']);
  const lines: WrittenLine[] = [];
  const repo = { full_name: r.pick(['acme/api', 'acme/web', 'globex/payments']), base_ref: 'main' };
  const task = { task_id: `T-${r.int(1000, 9999)}`, task_type: 'implementation', source: 'slack_implement' };
  const spanIds = new Map<SliceSpec, string>();

  const step = (component: Component, atMs: number, msg: string, extra: Record<string, unknown> = {}): void => {
    const line = { level: 30, time: iso(atMs), service: SERVICES[component], component, trace_id: id, msg, ...extra };
    lines.push({ component, writeMs: atMs, text: JSON.stringify(line) });
  };

  const summary = (s: SliceSpec, parent: SliceSpec | undefined): void => {
    const endMs = s.startMs + s.durationMs;
    if (modes[s.component] === 'legacy') {
      const line = {
        level: 30,
        time: iso(endMs),
        pid: 7,
        hostname: `ip-10-0-${COMPONENTS.indexOf(s.component)}-12`,
        service: SERVICES[s.component],
        component: s.component,
        trace_id: id,
        event,
        outcome: s.outcome,
        final_status: s.finalStatus,
        duration_ms: s.durationMs,
        context: { trace_id: id, component: s.component },
        steps: s.steps,
        error: s.error ?? null,
        repo,
        task,
        msg: `[event] ${event} -> ${s.outcome}`,
      };
      lines.push({ component: s.component, writeMs: endMs, text: JSON.stringify(line) });
      return;
    }
    // Bridged: the span the SDK exported, logged as its summary event. Its parent is the parent
    // slice's span when that service is bridged too (trace context propagated), else none.
    const spanId = r.hex(16);
    spanIds.set(s, spanId);
    const startNs = BigInt(s.startMs) * 1_000_000n + BigInt(r.int(0, 999_999));
    const endNs = startNs + BigInt(s.durationMs) * 1_000_000n;
    const resource = componentResource(SERVICES[s.component], s.component);
    const slice: SpanRecord = {
      traceId: hex,
      spanId,
      name: event,
      kind: s.component === 'core' ? SPAN_KIND.SERVER : SPAN_KIND.CONSUMER,
      startTimeUnixNano: startNs,
      endTimeUnixNano: endNs,
      status: s.error ? { code: STATUS_CODE.ERROR, message: s.error.message } : { code: STATUS_CODE.UNSET },
      attributes: {
        'alakai.event': event,
        'alakai.outcome': s.outcome,
        'alakai.final_status': s.finalStatus,
        'repo.full_name': repo.full_name,
      },
      events: [],
      resource,
      scope: { name: 'alakai-otel' },
    };
    const parentId = parent ? spanIds.get(parent) : undefined;
    if (parentId) slice.parentSpanId = parentId;
    const descendants: SpanRecord[] = [];
    if (r.next() < 0.6) {
      const childStart = startNs + BigInt(Math.floor(s.durationMs / 4)) * 1_000_000n;
      descendants.push({
        ...slice,
        spanId: r.hex(16),
        parentSpanId: spanId,
        name: Object.keys(s.steps)[0] ?? 'step',
        kind: SPAN_KIND.INTERNAL,
        startTimeUnixNano: childStart,
        endTimeUnixNano: childStart + 1_000_000n,
        status: { code: STATUS_CODE.UNSET },
        attributes: { 'alakai.step': Object.keys(s.steps)[0] ?? 'step' },
      });
    }
    const text = JSON.stringify(sliceToSummaryEvent(slice, descendants));
    lines.push({ component: s.component, writeMs: Number(endNs / 1_000_000n), text });
  };

  const core: SliceSpec = {
    component: 'core',
    startMs: t0,
    durationMs: r.int(80, 1500),
    outcome: 'success',
    finalStatus: 'enqueued',
    steps: { verify_signature: 'ok', parse_command: 'ok', enqueue: 'ok' },
  };
  step('core', t0 + 5, 'verifying signature');
  if (r.next() < 0.5) step('core', t0 + 40, 'enqueued', { queue: 'alakai-jobs' });
  const coreOnly = r.next() < 0.15;
  if (coreOnly) core.finalStatus = 'answered';
  summary(core, undefined);
  if (coreOnly) return lines;

  let t = t0 + core.durationMs + r.int(20, 400);
  if (r.next() < 0.4) {
    const d = r.int(30, 200);
    const retry: SliceSpec = {
      component: 'orchestrator',
      startMs: t,
      durationMs: d,
      outcome: 'skipped',
      finalStatus: 'slot_unavailable',
      steps: { receive_message: 'ok', acquire_slot: 'error', launch_task: '-' },
    };
    step('orchestrator', t + 10, 'no free slot, will retry', { slots_in_use: 4 });
    summary(retry, core);
    t += d + r.int(5_000, 30_000);
  }
  const od = r.int(200, 2500);
  const failed = r.next() < 0.1;
  const orch: SliceSpec = failed
    ? {
        component: 'orchestrator',
        startMs: t,
        durationMs: od,
        outcome: 'error',
        finalStatus: 'launch_failed',
        steps: { receive_message: 'ok', acquire_slot: 'ok', launch_task: 'error' },
        error: { type: 'EcsRunTaskError', message: 'RunTask failed: capacity unavailable' },
      }
    : {
        component: 'orchestrator',
        startMs: t,
        durationMs: od,
        outcome: 'success',
        finalStatus: 'task_launched',
        steps: { receive_message: 'ok', acquire_slot: 'ok', launch_task: 'ok' },
      };
  step('orchestrator', t + Math.floor(od / 2), 'launching ECS task', { cluster: 'alakai' });
  summary(orch, core);
  if (failed) return lines;

  const ws = t + od + r.int(2_000, 20_000);
  const wd = r.next() < 0.2 ? r.int(300_001, 900_000) : r.int(20_000, 240_000);
  const worker: SliceSpec = {
    component: 'worker',
    startMs: ws,
    durationMs: wd,
    outcome: r.next() < 0.2 ? 'error' : 'success',
    finalStatus: 'pr_opened',
    steps: { clone_repo: 'ok', run_agent: 'ok', push_branch: 'ok', open_pr: 'ok' },
  };
  if (worker.outcome === 'error') {
    worker.finalStatus = 'agent_failed';
    worker.error = { type: 'AgentTimeoutError', message: 'agent exceeded 240s budget' };
  }
  step('worker', ws + 100, 'cloning repository', { repo: repo.full_name });
  step('worker', ws + Math.floor(wd / 2), 'agent finished', { tokens: r.int(1000, 90000) });
  summary(worker, orch);
  return lines;
}

/** Per-service modes: all legacy, all bridged, or a random mix (a partial rollout). */
export function randomModes(r: SeededRandom): Record<Component, Mode> {
  const all = r.next();
  if (all < 0.35) return { core: 'legacy', orchestrator: 'legacy', worker: 'legacy' };
  if (all < 0.5) return { core: 'bridged', orchestrator: 'bridged', worker: 'bridged' };
  const m = (): Mode => (r.next() < 0.5 ? 'legacy' : 'bridged');
  return { core: m(), orchestrator: m(), worker: m() };
}

/** Several overlapping executions, plus duplicated lines (a retried put, a line in two files). */
export function executions(r: SeededRandom, startMs: number): WrittenLine[] {
  const lines: WrittenLine[] = [];
  const n = r.int(1, 4);
  let t = startMs;
  for (let i = 0; i < n; i++) {
    lines.push(...execution(r, t, randomModes(r)));
    t += r.int(0, 60_000);
  }
  const dups = r.int(0, 2);
  for (let i = 0; i < dups; i++) lines.push({ ...r.pick(lines) });
  // A service's stream is in write order (stable: a duplicate follows its original).
  return lines.sort((a, b) => a.writeMs - b.writeMs);
}

/**
 * The three streams delivered with a random delay each in [0, maxDelayMs), each stream keeping its
 * own order (a line never overtakes an earlier one of its service); across streams, any order.
 */
export function deliver(r: SeededRandom, lines: readonly WrittenLine[], maxDelayMs: number): Arrival[] {
  const out: Arrival[] = [];
  for (const c of COMPONENTS) {
    let last = -Infinity;
    for (const line of lines.filter((l) => l.component === c)) {
      const at = Math.max(last, line.writeMs + Math.floor(r.next() * maxDelayMs));
      last = at;
      out.push({ line, atMs: at });
    }
  }
  // Equal arrival times in a random order across streams; within a stream the order stays.
  const tiebreak = new Map(out.map((a) => [a, r.next()]));
  const order = new Map(out.map((a, i) => [a, i]));
  return out.sort((a, b) => {
    if (a.atMs !== b.atMs) return a.atMs - b.atMs;
    if (a.line.component === b.line.component) return order.get(a)! - order.get(b)!;
    return tiebreak.get(a)! - tiebreak.get(b)!;
  });
}

export const FOLLOW_OPTIONS: FollowAssemblerOptions = {
  holdMs: 15_000,
  traceWindowMs: 30 * 60_000,
  maxOpenTraces: 1000,
  maxLinesPerTrace: 10_000,
};

export interface FollowRun {
  /** Every group release() and releaseAll() returned, in order. */
  groups: SpanRecord[][];
  assembler: FollowAssembler;
}

/**
 * Drives an assembler over `arrivals` on a fake clock: each line added at its arrival time,
 * release() called after a random number of lines and whenever nextDueMs() says so, then the end
 * either by the clock (traces close after their window) or by releaseAll().
 */
export function runFollow(
  r: SeededRandom,
  arrivals: readonly Arrival[],
  options: FollowAssemblerOptions = FOLLOW_OPTIONS,
  hooks: {
    /** May swap the assembler (snapshot/restore), after the line at `index` was added (and released). */
    afterAdd?: (a: FollowAssembler, index: number) => FollowAssembler;
    afterRelease?: (a: FollowAssembler, index: number) => FollowAssembler;
  } = {},
): FollowRun {
  let a = new FollowAssembler(options);
  const groups: SpanRecord[][] = [];
  const releaseAt = (now: number): void => {
    groups.push(...a.release(now));
  };
  let now = arrivals[0]?.atMs ?? 0;
  for (let i = 0; i < arrivals.length; i++) {
    const next = arrivals[i]!;
    // Timers that fire before this line arrives.
    for (let due = a.nextDueMs(); due !== undefined && due < next.atMs; due = a.nextDueMs()) {
      now = Math.max(now, due);
      releaseAt(now);
    }
    now = Math.max(now, next.atMs);
    a.add({ text: next.line.text, timestampMs: next.line.writeMs }, now);
    if (hooks.afterAdd) a = hooks.afterAdd(a, i);
    if (r.next() < 0.7 || i === arrivals.length - 1) {
      releaseAt(now);
      if (hooks.afterRelease) a = hooks.afterRelease(a, i);
    }
  }
  if (r.next() < 0.5) {
    for (let due = a.nextDueMs(); due !== undefined; due = a.nextDueMs()) {
      now = Math.max(now, due);
      releaseAt(now);
    }
  } else groups.push(...a.releaseAll());
  return { groups, assembler: a };
}

/** Per trace, the OTLP/JSON line of its spans in the backfill's order (what the file sink writes). */
export function traceLines(spans: readonly SpanRecord[]): string[] {
  const byTrace = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const list = byTrace.get(s.traceId);
    if (list) list.push(s);
    else byTrace.set(s.traceId, [s]);
  }
  return [...byTrace.values()].map((list) => encodeOtlpJsonLine([...list].sort(compareSpans))).sort();
}

/** Each span's own OTLP/JSON (with its resource), sorted: a multiset to compare. */
export function spanTexts(spans: readonly SpanRecord[]): string[] {
  return spans.map((s) => encodeOtlpJsonLine([s])).sort();
}

class MemorySink implements SpanSink {
  spansWritten = 0;
  readonly spans: SpanRecord[] = [];
  write(spans: SpanRecord[]): void {
    this.spans.push(...spans);
    this.spansWritten += spans.length;
  }
  async flush(): Promise<{ outputBytes?: number }> {
    return {};
  }
  async close(): Promise<void> {}
}

/** The batch result: the real backfill over the lines as the three services' NDJSON files. */
export async function backfillOf(lines: readonly WrittenLine[]): Promise<SpanRecord[]> {
  const dir = await mkdtemp(join(tmpdir(), 'alakai-follow-'));
  try {
    const paths: string[] = [];
    for (const c of COMPONENTS) {
      const path = join(dir, `${c}.ndjson`);
      await writeFile(
        path,
        lines
          .filter((l) => l.component === c)
          .map((l) => l.text + '\n')
          .join(''),
      );
      paths.push(path);
    }
    const sink = new MemorySink();
    await runBackfill({ sources: fileSources(paths), openSink: async () => sink, outputName: null, fingerprint: 't' });
    return sink.spans;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

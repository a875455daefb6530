/**
 * The summary event: one JSON line a slice writes when it ends (execution-tracing-guide.txt,
 * "Event JSON structure"). Field names, types and meaning are the guide's; the Logs Insights
 * queries in the guide read them, so none may change.
 */

export type Outcome = 'success' | 'error' | 'skipped';
export type StepStatus = 'ok' | 'error' | '-';
export type Component = 'core' | 'orchestrator' | 'worker';

export interface SummaryError {
  type: string;
  message: string;
}

/** Domain objects the guide's queries read. Any other JSON value is allowed beside them. */
export interface DomainFields {
  repo?: { full_name?: string; base_ref?: string; [k: string]: unknown };
  task?: { task_id?: string; task_type?: string; source?: string; [k: string]: unknown };
  agent?: { provider?: string; model?: string; [k: string]: unknown };
  pull_request?: { url?: string; number?: number; [k: string]: unknown };
  slack?: { user_id?: string; [k: string]: unknown };
}

export interface SummaryEvent extends DomainFields {
  /** ISO 8601, UTC, millisecond precision: `2026-05-05T12:00:00.000Z`. */
  time: string;
  level: 30;
  service: string;
  component: string;
  trace_id: string;
  event: string;
  outcome: Outcome;
  final_status: string;
  duration_ms: number;
  context: { trace_id: string; component: string; [k: string]: unknown };
  steps: Record<string, StepStatus>;
  error: SummaryError | null;
  /** `[event] <event> -> <outcome>` */
  msg: string;
  /** Bridge extension (docs/summary-event-format.md): the slice span's id. Absent on legacy events. */
  span_id?: string;
  /** Bridge extension: the slice span's parent span id. Absent on roots and legacy events. */
  parent_span_id?: string;
  /** Bridge extension: one compact encoded string with everything else needed to rebuild the spans. */
  otel?: string;
  [field: string]: unknown;
}

/** The guide's three services and their log groups ("Log groups" table). */
export const LOG_GROUPS: Readonly<Record<Component, string>> = {
  core: '/ecs/alakai-core',
  orchestrator: '/ecs/alakai-orchestrator',
  worker: '/ecs/alakai-worker-implementation',
};

export const COMPONENTS: readonly Component[] = ['core', 'orchestrator', 'worker'];

/** Prefix of every summary event's `msg` (guide, "Tips"). */
export const EVENT_MSG_PREFIX = '[event] ';

export function eventMsg(event: string, outcome: string): string {
  return `${EVENT_MSG_PREFIX}${event} -> ${outcome}`;
}

/** The guide's fields, in the guide's key order (domain objects go between `error` and `msg`). */
export const GUIDE_FIELDS = [
  'time',
  'level',
  'service',
  'component',
  'trace_id',
  'event',
  'outcome',
  'final_status',
  'duration_ms',
  'context',
  'steps',
  'error',
  'msg',
] as const;

/** Top-level fields of the bridge extension (docs/summary-event-format.md). */
export const EXTENSION_FIELDS = ['span_id', 'parent_span_id', 'otel'] as const;

/** Every top-level field with a fixed meaning; all other top-level keys are domain fields. */
export const RESERVED_FIELDS: ReadonlySet<string> = new Set<string>([...GUIDE_FIELDS, ...EXTENSION_FIELDS]);

export const OUTCOMES: readonly Outcome[] = ['success', 'error', 'skipped'];

/** True for one of the guide's three outcomes: the one test the SDK, the line and validation share. */
export function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'string' && (OUTCOMES as readonly string[]).includes(value);
}

export const STEP_STATUSES: readonly StepStatus[] = ['ok', 'error', '-'];

/** The level pino writes for `info`; summary events always log at it (guide, "Tips"). */
export const SUMMARY_LEVEL = 30;

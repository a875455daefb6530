/**
 * The execution tracing guide's "common queries", by name, with their parameters. Each text is the
 * guide's, with its REPLACE_WITH_… placeholder (or the literal the guide picked: "worker",
 * 300000, "coding.implementation") filled from a flag; `alakai-otel query --list` prints them so
 * they can be pasted into the Logs Insights console.
 */
import { QueryError } from './query-error.js';

export interface NamedQuery {
  name: string;
  title: string;
  /** `query NAME` usage, for --help and errors. */
  usage: string;
  /** The guide's text with its placeholders as `{{param}}`. */
  template: string;
  /** Values used when a parameter is not given (the guide's own literals). */
  defaults: Readonly<Record<string, string>>;
}

export const GUIDE_QUERIES: readonly NamedQuery[] = [
  {
    name: 'errors',
    title: 'Recent errors across all events',
    usage: 'errors',
    template: `fields @timestamp, context.component, event, outcome, final_status,
error.type, error.message, trace_id
| filter outcome = "error"
| sort @timestamp desc
| limit 100`,
    defaults: {},
  },
  {
    name: 'errors --event',
    title: 'Errors for a specific event type',
    usage: 'errors --event EVENT',
    template: `fields @timestamp, context.component, final_status, error.type, error.message,
duration_ms, trace_id
| filter event = "{{event}}" and outcome = "error"
| sort @timestamp desc
| limit 50`,
    defaults: { event: 'coding.implementation' },
  },
  {
    name: 'slow',
    title: 'Slow executions (worker slice > 5 minutes)',
    usage: 'slow [--component worker] [--over 5m]',
    template: `fields @timestamp, trace_id, event, final_status, duration_ms,
agent.provider, agent.model, repo.full_name
| filter context.component = "{{component}}" and duration_ms > {{over_ms}}
| sort duration_ms desc
| limit 50`,
    defaults: { component: 'worker', over_ms: '300000' },
  },
  {
    name: 'repo',
    title: 'All implementations for a given repository',
    usage: 'repo ORG/REPO',
    template: `fields @timestamp, trace_id, event, outcome, final_status, duration_ms,
pull_request.url, pull_request.number
| filter (event = "coding.implementation" or event = "slack.implementation")
and context.component = "worker"
and repo.full_name = "{{repo}}"
| sort @timestamp desc
| limit 100`,
    defaults: { repo: 'REPLACE_WITH_ORG/REPO' },
  },
  {
    name: 'slack-user',
    title: 'Slack command failures by user',
    usage: 'slack-user SLACK_USER_ID',
    template: `fields @timestamp, event, final_status, error.message, trace_id
| filter (event like /^slack\\./) and outcome = "error"
and slack.user_id = "{{user}}"
| sort @timestamp desc
| limit 50`,
    defaults: { user: 'REPLACE_WITH_SLACK_USER_ID' },
  },
  {
    name: 'slots',
    title: 'Orchestrator slot contention',
    usage: 'slots',
    template: `fields @timestamp, trace_id, event, final_status
| filter context.component = "orchestrator"
and final_status = "slot_unavailable"
| sort @timestamp desc
| limit 50`,
    defaults: {},
  },
  {
    name: 'percentiles',
    title: 'p90 / p99 duration per event and component',
    usage: 'percentiles',
    template: `filter event like /./
| stats
pct(duration_ms, 90) as p90_ms,
pct(duration_ms, 99) as p99_ms,
count() as total
by event, context.component
| sort p99_ms desc`,
    defaults: {},
  },
];

/** A value spliced into a quoted string of a query: printable, and nothing that ends the string. */
const SAFE_VALUE = /^[\x20-\x7e]{1,256}$/;

export function fillQuery(q: NamedQuery, params: Readonly<Record<string, string | undefined>> = {}): string {
  return q.template.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const value = params[key] ?? q.defaults[key];
    if (value === undefined) throw new QueryError(`query ${q.name} needs ${key}`);
    if (!SAFE_VALUE.test(value) || value.includes('"') || value.includes('\\'))
      throw new QueryError(
        `${key} must be printable ASCII without quotes or backslashes (got "${value.slice(0, 40).replace(/[^\x20-\x7e]/g, '?')}")`,
      );
    return value;
  });
}

export function guideQuery(name: string): NamedQuery | undefined {
  return GUIDE_QUERIES.find((q) => q.name === name);
}

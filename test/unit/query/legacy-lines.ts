/**
 * Generated legacy summary events (no bridge extension) for the query tests: the three components,
 * slow workers, errors, slot contention, Slack users, step lines; one line a `spacingMs`, from
 * `startMs`. Deterministic, so a failure reproduces.
 */
import { LOG_GROUPS, type Component } from '../../../src/contract/summary-event.js';

export interface LegacyLine {
  text: string;
  timeMs: number;
  component: Component;
  logGroup: string;
}

const EVENTS = ['coding.implementation', 'slack.implementation', 'slack.prompt'];
const COMPONENTS: Component[] = ['core', 'orchestrator', 'worker'];

export function legacyLines(count: number, startMs: number, spacingMs = 1000): LegacyLine[] {
  const out: LegacyLine[] = [];
  let t = startMs;
  for (let i = 0; i < count; i++) {
    const component = COMPONENTS[i % 3]!;
    // Every event on every component (i % 3 alone would tie each event to one component).
    const event = EVENTS[(i + Math.floor(i / 3)) % 3]!;
    const error = i % 7 === 0;
    const slot = component === 'orchestrator' && i % 5 === 0;
    t += spacingMs + (i % 13) * 17;
    const line = {
      level: 30,
      time: new Date(t).toISOString(),
      msg: `[event] ${event} -> ${error || slot ? 'error' : 'success'}`,
      event,
      outcome: error || slot ? 'error' : 'success',
      final_status: slot ? 'slot_unavailable' : error ? 'agent_failed' : 'completed',
      duration_ms: component === 'worker' ? 200_000 + ((i * 7919) % 400_000) : (i * 37) % 900,
      trace_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      context: { component },
      repo: { full_name: i % 2 ? 'acme/api' : 'acme/web' },
      slack: { user_id: i % 4 ? 'U111' : 'U222' },
      ...(error ? { error: { type: 'AgentError', message: `failed ${i}` } } : {}),
    };
    out.push({ text: JSON.stringify(line), timeMs: t, component, logGroup: LOG_GROUPS[component] });
    // A step-level line is an event too.
    if (i % 10 === 0)
      out.push({
        text: JSON.stringify({ level: 30, time: new Date(t).toISOString(), msg: 'step', trace_id: line.trace_id }),
        timeMs: t,
        component,
        logGroup: LOG_GROUPS[component],
      });
  }
  return out;
}

/**
 * `trace` lists slices in the order they started, so the rows read core → orchestrator → worker even
 * though the orchestrator's line is written after the worker's (it ends after launching it).
 */
import { describe, expect, it } from 'vitest';
import { validateSummaryEvent } from '../../../src/contract/validate.js';
import type { SummaryEvent } from '../../../src/contract/summary-event.js';
import { sliceRows } from '../../../src/cli/trace.js';

const TRACE_ID = '2e7a474a-3f9b-46f7-82e7-9bf5142f9fd3';

function summary(component: string, time: string, duration_ms: number, final_status: string): SummaryEvent {
  const checked = validateSummaryEvent({
    time,
    level: 30,
    service: `alakai-${component}`,
    component,
    trace_id: TRACE_ID,
    event: 'coding.implementation',
    outcome: 'success',
    final_status,
    duration_ms,
    context: { trace_id: TRACE_ID, component },
    steps: {},
    error: null,
    msg: '[event] coding.implementation -> success',
  });
  if (!checked.ok) throw new Error(`fixture rejected: ${checked.reason}`);
  return checked.event;
}

describe('trace rows', () => {
  it('follow slice start, not line time, and list a repeated line once', () => {
    const core = summary('core', '2026-11-23T21:37:52.168Z', 73, 'enqueued');
    const worker = summary('worker', '2026-11-23T21:37:52.202Z', 7, 'completed');
    const orchestrator = summary('orchestrator', '2026-11-23T21:37:52.206Z', 53, 'task_launched');
    const rows = sliceRows([worker, orchestrator, core, worker]);
    expect(rows.map((r) => [r.component, r.final_status])).toEqual([
      ['core', 'enqueued'],
      ['orchestrator', 'task_launched'],
      ['worker', 'completed'],
    ]);
  });
});

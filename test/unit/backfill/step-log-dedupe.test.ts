/**
 * buildTrace de-duplicates step-level lines by their full identity (time, component, level, msg,
 * fields) while only building that identity for lines sharing a millisecond. A line repeated
 * verbatim becomes one span event; a line at the same millisecond that differs in any part stays.
 */
import { describe, expect, it } from 'vitest';
import { parseLogLine, type ParsedStepLine, type ParsedSummary } from '../../../src/contract/parse.js';
import { buildTrace } from '../../../src/backfill/assembly/build-trace.js';
import type { OpenTrace } from '../../../src/backfill/assembly/trace-assembler.js';

const TRACE_ID = '5c56df33-16da-4dc8-8146-2e84f05a7293';

function line(fields: Record<string, unknown>): string {
  return JSON.stringify({
    level: 30,
    time: '2026-03-01T00:00:02.000Z',
    service: 'alakai-core',
    component: 'core',
    trace_id: TRACE_ID,
    ...fields,
  });
}

function parsedEvent(): ParsedSummary {
  const p = parseLogLine(
    line({
      event: 'coding.implementation',
      outcome: 'success',
      final_status: 'completed',
      duration_ms: 1500,
      steps: { a: 'ok' },
      error: null,
      msg: '[event] coding.implementation -> success',
    }),
  );
  if (p.kind !== 'summary') throw new Error(`fixture is not a summary event: ${JSON.stringify(p)}`);
  return p;
}

function parsedLog(fields: Record<string, unknown>): ParsedStepLine {
  const p = parseLogLine(line(fields));
  if (p.kind !== 'log') throw new Error(`fixture is not a step line: ${JSON.stringify(p)}`);
  return p;
}

function trace(logs: ParsedStepLine[]): OpenTrace {
  return {
    key: '5c56df3316da4dc881462e84f05a7293',
    events: [parsedEvent()],
    logs,
    lines: logs.length + 1,
    lastMs: 0,
    hints: [],
  };
}

describe('buildTrace: step-line de-duplication', () => {
  it('keeps one event per distinct line, counting verbatim repeats, whatever shares the millisecond', () => {
    const logs = [
      parsedLog({ step: 'clone', msg: 'clone: started' }),
      parsedLog({ step: 'clone', msg: 'clone: started' }), // verbatim repeat
      parsedLog({ step: 'push', msg: 'clone: started' }), // same ms and msg, other field
      parsedLog({ step: 'clone', msg: 'clone: done' }), // same ms, other msg
      parsedLog({ step: 'clone', msg: 'clone: started', level: 40 }), // other level
      parsedLog({ step: 'clone', msg: 'clone: started', time: '2026-03-01T00:00:02.001Z' }), // other ms
      parsedLog({ step: 'push', msg: 'clone: started' }), // repeat of the third
    ];
    const built = buildTrace(trace(logs));
    expect(built.duplicateStepLogs).toBe(2);
    expect(built.spans).toHaveLength(1);
    expect(built.spans[0]!.events).toHaveLength(5);
  });

  it('attaches a lone step line without de-duplication work', () => {
    const built = buildTrace(trace([parsedLog({ step: 'clone', msg: 'clone: started' })]));
    expect(built.duplicateStepLogs).toBe(0);
    expect(built.spans[0]!.events.map((e) => e.name)).toEqual(['clone: started']);
  });
});

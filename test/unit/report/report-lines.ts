/**
 * Summary-event lines for the report and page tests: executions core → orchestrator → worker over
 * a 24 h window (2026-03-02) and the day before, with errors, slot contention and step-level lines
 * whose every figure the tests compute again by hand. `hostile` puts hostile text in the fields a
 * page shows.
 */
export const WINDOW = { startMs: Date.UTC(2026, 2, 2), endMs: Date.UTC(2026, 2, 3) };
export const WINDOW_FLAGS = ['--start', '2026-03-02T00:00:00Z', '--end', '2026-03-03T00:00:00Z'];
export const HOSTILE = '</script><script>alert(1)</script>';

export type Line = Record<string, any>;

const EVENTS = ['coding.implementation', 'slack.implementation'];

function uuid(day: number, i: number): string {
  return `${String(day).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

export function reportLines(options: { hostile?: boolean } = {}): Line[] {
  const lines: Line[] = [];
  const day = (n: number, startMs: number, workerBaseMs: number, dayNo: number): void => {
    for (let i = 0; i < n; i++) {
      const t = startMs + i * Math.floor(86_400_000 / n);
      const trace_id = uuid(dayNo, i);
      const event = EVENTS[i % 2]!;
      const at = (ms: number): string => new Date(t + ms).toISOString();
      const slot = i % 7 === 3;
      const failed = i % 5 === 0;
      const status = options.hostile && failed ? HOSTILE : i % 10 === 0 ? 'push_failed' : 'agent_failed';
      lines.push({
        level: 30,
        time: at(0),
        event,
        outcome: 'success',
        final_status: 'dispatched',
        duration_ms: 40 + i,
        trace_id,
        context: { component: 'core', trace_id },
      });
      lines.push({
        level: 30,
        time: at(1_000),
        event,
        outcome: 'success',
        final_status: slot ? 'slot_unavailable' : 'queued',
        duration_ms: 100 + 2 * i,
        trace_id,
        context: { component: 'orchestrator', trace_id },
      });
      // A step-level line: no event, so no summary figure may count it.
      lines.push({ level: 30, time: at(2_000), msg: 'agent run finished', duration_ms: 999_999_999, trace_id });
      lines.push({
        level: 30,
        time: at(3_000),
        event: options.hostile && i === 1 ? '__proto__' : event,
        outcome: failed ? 'error' : 'success',
        final_status: failed ? status : 'pr_opened',
        duration_ms: workerBaseMs + i * 10_000,
        trace_id,
        context: { component: 'worker', trace_id },
        ...(failed
          ? { error: { type: 'GitError', message: options.hostile ? `"quoted" & ${HOSTILE}` : 'push rejected' } }
          : {}),
      });
    }
  };
  day(20, WINDOW.startMs - 86_400_000, 30_000, 1);
  day(40, WINDOW.startMs, 60_000, 2);
  return lines;
}

export const inWindow = (l: Line, w = WINDOW): boolean =>
  Date.parse(l.time) >= w.startMs && Date.parse(l.time) < w.endMs;
export const PREVIOUS = { startMs: WINDOW.startMs - 86_400_000, endMs: WINDOW.startMs };

export function nearestRank(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1]!;
}

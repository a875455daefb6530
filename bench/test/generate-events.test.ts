import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { smallInput } from './bench-input.js';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const linesOf = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('benchmark input generator', () => {
  it('writes the same bytes for the same size and seed, different bytes for another seed', async () => {
    const a = await smallInput(1500);
    const b = await smallInput(1500);
    const c = await smallInput(1500, 7);
    expect(sha(a.path)).toBe(sha(b.path));
    expect(sha(a.path)).not.toBe(sha(c.path));
  });

  it('counts what it wrote, in time order, with the guide fields on every summary event', async () => {
    const info = await smallInput(1500);
    const lines = linesOf(info.path);
    const summaries = lines.filter((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('[event] '));
    expect(lines).toHaveLength(info.lines);
    expect(summaries).toHaveLength(info.summaryEvents);
    expect(info.summaryEvents).toBeGreaterThanOrEqual(1500);
    expect(lines.filter((l) => l['trace_id'] === undefined)).toHaveLength(info.noiseLines);
    const times = lines.map((l) => Date.parse(String(l['time'])));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    for (const s of summaries) {
      expect(s).toMatchObject({ level: 30, context: { trace_id: s['trace_id'], component: s['component'] } });
      expect(['success', 'error', 'skipped']).toContain(s['outcome']);
      expect(s['msg']).toBe(`[event] ${String(s['event'])} -> ${String(s['outcome'])}`);
      expect(s['error'] === null || typeof (s['error'] as { type: unknown }).type === 'string').toBe(true);
    }
  });

  it('covers the guide: all six events, three components, errors, skips and slot contention', async () => {
    const info = await smallInput(3000);
    const summaries = linesOf(info.path).filter((l) => typeof l['event'] === 'string');
    expect(new Set(summaries.map((s) => s['event']))).toEqual(
      new Set([
        'coding.prompt',
        'coding.implementation',
        'slack.prompt',
        'slack.implementation',
        'slack.clickup.ask',
        'slack.clickup.task',
      ]),
    );
    expect(new Set(summaries.map((s) => s['component']))).toEqual(new Set(['core', 'orchestrator', 'worker']));
    expect(new Set(summaries.map((s) => s['outcome']))).toEqual(new Set(['success', 'error', 'skipped']));
    expect(summaries.some((s) => s['final_status'] === 'slot_unavailable')).toBe(true);
  });
});

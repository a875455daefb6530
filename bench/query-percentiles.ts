/**
 * Issue 15's query benchmark: rows (log events) per second through the local engine for the
 * guide's p90/p99 query (`query percentiles`), against the floor of a plain hand-written loop over
 * the SAME parsed events that computes the same answer (groups by event and component, nearest-rank
 * percentiles, sorted by p99). Both run in this process, in alternating rounds; the figure that
 * means something is the ratio engine / floor, not the absolute rate. bench/test/query-floor.test.ts
 * checks that the loop gives the engine's answer, so the floor does the same work.
 */
import { performance } from 'node:perf_hooks';
import { compileQuery, type QueryResult } from '../src/query/engine.js';
import { eventFromLine, type QueryEvent } from '../src/query/event.js';
import { fillQuery, guideQuery } from '../src/query/guide-queries.js';
import { parseQuery } from '../src/query/parse.js';
import { median } from './lib/stats.js';

const EVENTS = ['coding.implementation', 'slack.implementation', 'slack.prompt', 'github.webhook', 'slack.command'];
const COMPONENTS = ['core', 'orchestrator', 'worker'];

/** `n` summary lines as the services write them (legacy form), parsed once: the input both sides share. */
export function percentileEvents(n: number, seed = 7): QueryEvent[] {
  const out: QueryEvent[] = [];
  let x = seed;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  const t0 = Date.UTC(2026, 10, 1);
  for (let i = 0; i < n; i++) {
    const component = COMPONENTS[next() % 3]!;
    const event = EVENTS[next() % EVENTS.length]!;
    const line = {
      level: 30,
      time: new Date(t0 + i * 250).toISOString(),
      msg: `[event] ${event} -> success`,
      event,
      outcome: 'success',
      duration_ms: component === 'worker' ? 1000 + (next() % 900_000) : next() % 2000,
      trace_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      context: { component },
    };
    // One line in 20 is a step line (no event): the query's filter leaves it out.
    out.push(
      eventFromLine(
        JSON.stringify(i % 20 === 0 ? { level: 30, time: line.time, msg: 'step', trace_id: line.trace_id } : line),
      ),
    );
  }
  return out;
}

export const PERCENTILES_QUERY = fillQuery(guideQuery('percentiles')!);

export function engineAnswer(events: readonly QueryEvent[]): QueryResult {
  const run = compileQuery(parseQuery(PERCENTILES_QUERY)).start();
  for (const e of events) run.push(e);
  return run.finish();
}

function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

/** The floor: the same answer by hand — no parser, no plan, no getters. */
export function handAnswer(events: readonly QueryEvent[]): Record<string, string | number>[] {
  const groups = new Map<string, { event: string; component: unknown; d: number[]; n: number }>();
  for (const e of events) {
    const j = e.json;
    if (!j) continue;
    const event = j['event'];
    if (typeof event !== 'string' || event.length === 0) continue;
    const ctx = j['context'] as { component?: unknown } | undefined;
    const component = typeof ctx === 'object' && ctx !== null ? ctx.component : undefined;
    const key = `${event}\u0000${String(component)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { event, component, d: [], n: 0 }));
    g.n++;
    const d = j['duration_ms'];
    if (typeof d === 'number') g.d.push(d);
  }
  const rows = [...groups.values()].map((g) => {
    const s = g.d.sort((a, b) => a - b);
    const row: Record<string, string | number> = { event: g.event };
    if (typeof g.component === 'string') row['context.component'] = g.component;
    if (s.length > 0) {
      row['p90_ms'] = nearestRank(s, 90);
      row['p99_ms'] = nearestRank(s, 99);
    }
    row['total'] = g.n;
    return row;
  });
  return rows.sort((a, b) => Number(b['p99_ms'] ?? -1) - Number(a['p99_ms'] ?? -1));
}

export interface QueryBenchResult {
  events: number;
  rounds: number;
  engineRowsPerS: number;
  floorRowsPerS: number;
  /** Engine time / floor time (median of the paired rounds): how many floors the engine costs. */
  ratio: number;
}

export function runQueryBench(options: { quick: boolean; log: (l: string) => void }): QueryBenchResult {
  const n = options.quick ? 20_000 : 400_000;
  const rounds = options.quick ? 3 : 9;
  options.log(`query percentiles: ${n.toLocaleString('en-US')} events, ${rounds} paired rounds…`);
  const events = percentileEvents(n);
  engineAnswer(events.slice(0, 1000));
  handAnswer(events.slice(0, 1000));
  const engineS: number[] = [];
  const floorS: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so neither always meets a warmer (or a busier) machine.
    const order = r % 2 === 0 ? ['engine', 'floor'] : ['floor', 'engine'];
    const t: Record<string, number> = {};
    for (const side of order) {
      const s = performance.now();
      if (side === 'engine') engineAnswer(events);
      else handAnswer(events);
      t[side] = (performance.now() - s) / 1000;
    }
    engineS.push(t['engine']!);
    floorS.push(t['floor']!);
    ratios.push(t['engine']! / t['floor']!);
  }
  return {
    events: n,
    rounds,
    engineRowsPerS: n / median(engineS),
    floorRowsPerS: n / median(floorS),
    ratio: median(ratios),
  };
}

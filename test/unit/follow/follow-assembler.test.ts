/**
 * The follow assembler beyond the agreement property: orders that exceed the hold (deterministic,
 * counted as late, exactly the spans that differ from the batch), snapshot/restore in the middle
 * of a sequence, the caps, and hostile input (lines, clock values, snapshot files).
 */
import { describe, expect, it } from 'vitest';
import { encodeOtlpJsonLine } from '../../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import { SeededRandom } from '../../../src/demo/prng.js';
import { DEFAULT_FOLLOW_HOLD_MS, FollowAssembler, FollowSnapshotError } from '../../../src/follow/follow-assembler.js';
import {
  backfillOf,
  deliver,
  execution,
  executions,
  FOLLOW_OPTIONS,
  runFollow,
  spanTexts,
  type WrittenLine,
} from './follow-fixture.js';

const START_MS = Date.parse('2026-05-05T12:00:00.000Z');
const LEGACY = { core: 'legacy', orchestrator: 'legacy', worker: 'legacy' } as const;

function encoded(groups: readonly SpanRecord[][]): string[] {
  return groups.map((g) => encodeOtlpJsonLine(g));
}

function byId(spans: readonly SpanRecord[]): Map<string, string> {
  return new Map(spans.map((s) => [s.spanId, encodeOtlpJsonLine([s])]));
}

/** A fresh JSON copy, as a checkpoint file gives it back. */
function viaJson<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('orders beyond the hold', () => {
  it('give the same spans for the same arrivals, every span once, and late counts exactly the spans that differ from the batch', async () => {
    let lateCases = 0;
    for (let seed = 500; seed < 560; seed++) {
      const r = new SeededRandom(seed);
      const lines = executions(r, START_MS);
      // Delays up to four holds: parents often arrive after their child's hold ran out.
      const arrivals = deliver(r, lines, 4 * FOLLOW_OPTIONS.holdMs);
      const runSeed = r.int(0, 1 << 30);
      const first = runFollow(new SeededRandom(runSeed), arrivals);
      const second = runFollow(new SeededRandom(runSeed), arrivals);
      const where = `seed ${seed}`;
      expect(encoded(second.groups), where).toEqual(encoded(first.groups));

      const batch = byId(await backfillOf(lines));
      const released = first.groups.flat();
      expect(released.map((s) => s.spanId).sort(), where).toEqual([...batch.keys()].sort());
      const differing = released.filter((s) => encodeOtlpJsonLine([s]) !== batch.get(s.spanId)).length;
      expect(first.assembler.counters().late, where).toBe(differing);
      if (differing > 0) lateCases++;
    }
    expect(lateCases).toBeGreaterThan(5);
  });

  it('a worker whose orchestrator comes after the hold goes out under the fallback parent, and is late', () => {
    // The first seeded all-legacy execution with a slot_unavailable retry and a worker: the
    // retry is the worker's fallback parent.
    let lines: WrittenLine[] = [];
    for (let s = 1; lines.length === 0; s++) {
      const candidate = execution(new SeededRandom(s), START_MS, LEGACY);
      const retry = candidate.some((l) => l.text.includes('slot_unavailable'));
      if (retry && candidate.some((l) => l.component === 'worker')) lines = candidate;
    }
    const a = new FollowAssembler(FOLLOW_OPTIONS);
    const worker = lines.filter((l) => l.component === 'worker');
    const others = lines.filter((l) => l.component !== 'worker');
    const successfulOrchestrator = others.find((l) => l.text.includes('task_launched'))!;
    let now = START_MS;
    const out: SpanRecord[] = [];
    // Everything but the successful orchestrator slice, then the worker; the missing one after the hold.
    for (const l of others.filter((x) => x !== successfulOrchestrator)) a.add({ text: l.text }, now++);
    out.push(...a.release(now).flat());
    for (const l of worker) a.add({ text: l.text }, now++);
    out.push(...a.release(now).flat());
    expect(a.counters().held).toBe(1);
    expect(a.nextDueMs()).toBe(now - 1 + DEFAULT_FOLLOW_HOLD_MS);
    now += DEFAULT_FOLLOW_HOLD_MS;
    const atHold = a.release(now).flat();
    expect(atHold).toHaveLength(1);
    expect(atHold[0]!.name).toBe(out.find((s) => s.attributes['alakai.final_status'] === 'slot_unavailable')?.name);
    const retrySpan = out.find((s) => s.attributes['alakai.final_status'] === 'slot_unavailable')!;
    expect(atHold[0]!.parentSpanId).toBe(retrySpan.spanId);
    a.add({ text: successfulOrchestrator.text }, now);
    const rest = a.release(now).flat();
    expect(rest.map((s) => s.attributes['alakai.final_status'])).toEqual(['task_launched']);
    expect(a.releaseAll().flat()).toEqual([]);
    expect(a.counters().late).toBe(1);
  });
});

describe('snapshot and restore', () => {
  it('restoring in the middle of a sequence (after a release or between add and release) releases the same spans as running on', () => {
    for (let seed = 900; seed < 960; seed++) {
      const r = new SeededRandom(seed);
      const lines = executions(r, START_MS);
      const arrivals = deliver(r, lines, 2 * FOLLOW_OPTIONS.holdMs);
      const runSeed = r.int(0, 1 << 30);
      const at = r.int(0, arrivals.length - 1);
      const betweenAddAndRelease = r.next() < 0.5;
      const straight = runFollow(new SeededRandom(runSeed), arrivals);
      let snapshots = 0;
      const swap = (a: FollowAssembler, i: number): FollowAssembler => {
        if (i !== at) return a;
        snapshots++;
        return FollowAssembler.restore(FOLLOW_OPTIONS, viaJson(a.snapshot()));
      };
      const restored = runFollow(
        new SeededRandom(runSeed),
        arrivals,
        FOLLOW_OPTIONS,
        betweenAddAndRelease ? { afterAdd: swap } : { afterRelease: swap },
      );
      const where = `seed ${seed}, restored at line ${at}`;
      expect(encoded(restored.groups), where).toEqual(encoded(straight.groups));
      expect(restored.assembler.counters(), where).toEqual(straight.assembler.counters());
      if (!betweenAddAndRelease) expect(snapshots, where).toBeLessThanOrEqual(1);
    }
  });

  it('a snapshot is plain JSON and says what it holds', () => {
    const a = new FollowAssembler(FOLLOW_OPTIONS);
    for (const l of execution(new SeededRandom(3), START_MS, LEGACY).slice(0, 3)) a.add({ text: l.text }, START_MS);
    const snap = a.snapshot();
    expect(viaJson(snap)).toEqual(snap);
    expect(snap.version).toBe(1);
    expect((snap['traces'] as unknown[]).length).toBe(1);
  });
});

describe('caps', () => {
  it('the open-trace cap closes the oldest trace early (its spans go out), counts it, and a later line of it is late', () => {
    const a = new FollowAssembler({ ...FOLLOW_OPTIONS, maxOpenTraces: 2 });
    const execs = [1, 2, 3].map((s) => execution(new SeededRandom(s), START_MS, LEGACY));
    const firstCore = execs[0]!.find((l) => l.text.includes('"[event] '))!;
    a.add({ text: firstCore.text }, START_MS);
    a.add({ text: execs[1]![0]!.text }, START_MS + 1);
    expect(a.counters().openTraces).toBe(2);
    a.add({ text: execs[2]![0]!.text }, START_MS + 2);
    const c = a.counters();
    expect(c.openTraces).toBe(2);
    expect(c.dropped.openTraceCap).toBe(1);
    const out = a.release(START_MS + 2).flat();
    expect(out.map((s) => s.attributes['alakai.final_status'])).toContain('enqueued');
    const later = execs[0]!.find((l) => l.component === 'orchestrator')!;
    a.add({ text: later.text }, START_MS + 3);
    expect(a.counters().late).toBe(1);
    expect(a.counters().openTraces).toBe(2);
  });

  it('the per-trace line cap drops and counts the lines beyond it', () => {
    const a = new FollowAssembler({ ...FOLLOW_OPTIONS, maxLinesPerTrace: 3 });
    const lines = execution(new SeededRandom(11), START_MS, LEGACY);
    expect(lines.length).toBeGreaterThan(4);
    for (const l of lines) a.add({ text: l.text }, START_MS);
    expect(a.counters().dropped.traceLineCap).toBe(lines.length - 3);
    const snap = a.snapshot() as unknown as { traces: { lines: unknown[] }[] };
    expect(snap.traces[0]!.lines).toHaveLength(3);
  });
});

describe('hostile input', () => {
  it('garbage lines and clock values are counted, never thrown, and pollute nothing', () => {
    const a = new FollowAssembler(FOLLOW_OPTIONS);
    const id = '3f2c8a1e-9b4d-4c6e-8f7a-1d2e3c4b5a69';
    const garbage: unknown[] = [
      { text: 'Listening on port 3000' },
      { text: '[]' },
      { text: 'null' },
      {
        text: `{"__proto__":{"polluted":true},"trace_id":"${id}","event":"e","outcome":"success","msg":"[event] e -> success"}`,
      },
      { text: JSON.stringify({ trace_id: id, msg: 'x'.repeat(1_200_000) }) },
      { text: JSON.stringify({ trace_id: id, time: 'not a time', msg: 'step' }) },
      { text: JSON.stringify({ level: 30, msg: 'someone else' }) },
      { text: 42 },
      null,
      'a bare string',
    ];
    const clocks = [Number.NaN, Number.POSITIVE_INFINITY, 1e308, -1e308, START_MS];
    for (const [i, g] of garbage.entries()) a.add(g as never, clocks[i % clocks.length]!);
    expect(a.release(Number.NaN)).toEqual([]);
    const c = a.counters();
    expect(c.lines).toBe(garbage.length);
    expect(c.summaryLines + c.stepLines).toBe(0);
    expect(c.ignoredLines).toBe(1);
    expect(Object.values(c.rejected).reduce((x, y) => x + y, 0)).toBe(garbage.length - 1);
    expect(c.rejected['hostile_key']).toBe(1);
    expect(c.rejected['too_large']).toBe(1);
    expect(c.rejected['not_text']).toBe(3);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(a.nextDueMs()).toBeUndefined();
    expect(a.releaseAll()).toEqual([]);
  });

  describe('a snapshot file that is not one', () => {
    const a = new FollowAssembler(FOLLOW_OPTIONS);
    // Added, not yet released: the snapshot holds the whole trace.
    for (const l of execution(new SeededRandom(5), START_MS, LEGACY)) a.add({ text: l.text }, START_MS);
    const good = viaJson(a.snapshot()) as Record<string, unknown>;
    const edit = (f: (s: Record<string, unknown>) => void): unknown => {
      const s = viaJson(good) as Record<string, unknown>;
      f(s);
      return s;
    };
    const trace0 = (s: Record<string, unknown>) => (s['traces'] as Record<string, unknown>[])[0]!;
    const cases: [string, unknown][] = [
      ['not an object', 'a string'],
      ['null', null],
      ['another version', edit((s) => (s['version'] = 2))],
      ['a huge clock', edit((s) => (s['nowMs'] = 1e20))],
      ['a huge count', edit((s) => ((s['counters'] as Record<string, unknown>)['lines'] = 2 ** 60))],
      ['a negative count', edit((s) => ((s['counters'] as Record<string, unknown>)['late'] = -1))],
      [
        'a __proto__ reason',
        JSON.parse(JSON.stringify(good).replace('"rejected":{}', '"rejected":{"__proto__":{"polluted":1}}')),
      ],
      ['a reason that is not a name', edit((s) => ((s['counters'] as { rejected: object }).rejected = { 'a b': 1 }))],
      ['a huge arrival time', edit((s) => ((trace0(s)['lines'] as unknown[][])[0]![0] = 1e300))],
      [
        'a line of another trace',
        edit(
          (s) =>
            ((trace0(s)['lines'] as unknown[][])[0]![1] =
              '{"trace_id":"00000000-0000-4000-8000-000000000001","time":"2026-05-05T12:00:00.000Z","msg":"x"}'),
        ),
      ],
      [
        'a hostile line',
        edit((s) => ((trace0(s)['lines'] as unknown[][])[0]![1] = '{"__proto__":{"polluted":1},"msg":"x"}')),
      ],
      ['a trace key that is not an id', edit((s) => (trace0(s)['key'] = '__proto__'))],
      ['a bad released entry', edit((s) => (trace0(s)['released'] = [['zz', 'x']]))],
      ['too many traces', edit((s) => (s['traces'] = Array.from({ length: 1001 }, () => trace0(good))))],
      ['a repeated trace', edit((s) => (s['traces'] = [trace0(good), trace0(good)]))],
    ];
    for (const [what, snapshot] of cases) {
      it(`refuses ${what} with a clear error and pollutes nothing`, () => {
        expect(() => FollowAssembler.restore(FOLLOW_OPTIONS, snapshot)).toThrow(FollowSnapshotError);
        expect(() => FollowAssembler.restore(FOLLOW_OPTIONS, snapshot)).toThrow(/^follow window snapshot: /);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      });
    }
    it('and takes the untouched one, which then releases what the original would', () => {
      const b = FollowAssembler.restore(FOLLOW_OPTIONS, viaJson(good));
      const rest = spanTexts(b.releaseAll().flat());
      expect(rest.length).toBeGreaterThan(0);
      expect(rest).toEqual(spanTexts(a.releaseAll().flat()));
    });
  });
});

/**
 * The streaming converter (src/sdk/converter/span-converter.ts) on its own: lines in, spans out to
 * destinations that succeed, fail, hang or are slow. Time (linger, deadlines) runs on fake timers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConverterStats } from '../../../src/sdk/converter/converter-stats.js';
import { SpanConverter, type SpanDestination } from '../../../src/sdk/converter/span-converter.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import { sliceToSummaryEvent } from '../../../src/contract/spans-to-event.js';
import { span, stepSpan, summaryEvent } from '../contract/fixtures.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A legacy summary line (one span); `n` makes each line's span distinct. */
function legacyLine(n: number): string {
  return JSON.stringify(summaryEvent({ duration_ms: 1000 + n }));
}

/** A bridged summary line with `steps` step spans under its slice: 1 + steps spans. */
function bridgedLine(steps: number): string {
  const slice = span();
  const descendants = Array.from({ length: steps }, (_, i) =>
    stepSpan(slice, `step${i}`, (0x2000 + i).toString(16).padStart(16, '0'), i),
  );
  return JSON.stringify(sliceToSummaryEvent(slice, descendants));
}

interface Recorder extends SpanDestination {
  batches: SpanRecord[][][];
  spans(): number;
  closed: number;
}

/** A destination that records each batch; `outcome(i)` decides send number i. */
function recorder(
  name: string,
  outcome: (i: number) => 'ok' | 'fail' | 'hang' | 'sync' = () => 'ok',
  batchSpans?: number,
): Recorder {
  let sends = 0;
  const r: Recorder = {
    name,
    ...(batchSpans === undefined ? {} : { batchSpans }),
    batches: [],
    closed: 0,
    spans: () => r.batches.reduce((n, b) => n + b.reduce((m, g) => m + g.length, 0), 0),
    send(batch) {
      const how = outcome(sends++);
      if (how === 'hang') return new Promise<void>(() => undefined);
      if (how === 'fail') return Promise.reject(new Error(`${name} is down`));
      r.batches.push(batch.map((g) => [...g]));
      return how === 'sync' ? undefined : Promise.resolve();
    },
    close() {
      r.closed++;
    },
  };
  return r;
}

/** Per destination: exported + failed + notSent + pending === spans queued. */
function expectBalanced(stats: ConverterStats): void {
  for (const d of stats.destinations) expect(d.exported + d.failed + d.notSent + d.pending, d.name).toBe(stats.spans);
}

describe('SpanConverter: lines to spans', () => {
  it('converts summary lines, counts lines, refusals by reason and ignores other lines', async () => {
    const out = recorder('out');
    const converter = new SpanConverter([out], { maxQueuedSpans: 100, maxLineBytes: 4096 });
    converter.feed('{"level":30,"msg":"plain line"}');
    converter.feed(legacyLine(1));
    converter.feed(bridgedLine(3));
    converter.feed('not json but mentions "[event] x');
    converter.feed(JSON.stringify(summaryEvent({ outcome: 'maybe' as 'success' })));
    converter.feed(legacyLine(2).replace('}', `,"pad":"${'x'.repeat(5000)}"}`));
    converter.feedRefused('too_large');
    const stats = await converter.shutdown(1000);
    expect(stats).toMatchObject({
      lines: 7,
      summaryLines: 2,
      spans: 5,
      queued: 0,
      rejected: { not_json: 1, bad_outcome: 1, too_large: 2 },
      droppedLines: { queueFull: 0, afterShutdown: 0 },
    });
    expect(stats.destinations).toEqual([{ name: 'out', exported: 5, failed: 0, notSent: 0, pending: 0 }]);
    expect(out.batches.flat().map((g) => g.length)).toEqual([1, 4]); // one group per line, in order
    expect(out.closed).toBe(1);
  });

  it('counts a summary line fed after shutdown as dropped, with its spans, and sends nothing', async () => {
    const out = recorder('out');
    const converter = new SpanConverter([out], { maxQueuedSpans: 100 });
    await converter.shutdown(100);
    converter.feed(bridgedLine(2));
    converter.feed('{"msg":"not a summary"}');
    expect(converter.stats()).toMatchObject({ droppedLines: { afterShutdown: 1 }, droppedSpans: { afterShutdown: 3 } });
    expect(out.batches).toHaveLength(0);
  });

  it('never throws into the caller, whatever a destination does', () => {
    const throwing: SpanDestination = {
      name: 'throws',
      send() {
        throw new Error('boom');
      },
    };
    const converter = new SpanConverter([throwing], { maxQueuedSpans: 10 });
    expect(() => converter.feed(legacyLine(1))).not.toThrow();
    expect(converter.stats().destinations[0]).toMatchObject({ exported: 0, failed: 1, pending: 0 });
  });
});

describe('SpanConverter: one bound, drops counted', () => {
  it('holds at most maxQueuedSpans while a destination hangs; feed returns at once, and drops are counted', () => {
    const hung = recorder('hung', () => 'hang');
    const converter = new SpanConverter([hung], { maxQueuedSpans: 5 });
    for (let i = 0; i < 5; i++) converter.feed(legacyLine(i));
    converter.feed(bridgedLine(1)); // 2 spans: no room
    for (let i = 5; i < 8; i++) converter.feed(legacyLine(i));
    const stats = converter.stats();
    expect(stats.queued).toBe(5);
    expect(stats.spans).toBe(5);
    expect(stats.droppedLines.queueFull).toBe(4);
    expect(stats.droppedSpans.queueFull).toBe(5);
    expectBalanced(stats);
  });

  it('frees the room once every destination has sent a line (the bound counts what any still needs)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: SpanDestination = { name: 'slow', send: () => gate };
    const fast = recorder('fast');
    const converter = new SpanConverter([fast, slow], { maxQueuedSpans: 2 });
    converter.feed(legacyLine(1));
    converter.feed(legacyLine(2));
    await Promise.resolve();
    expect(fast.spans()).toBe(2); // the fast one is not held back by the slow one
    converter.feed(legacyLine(3)); // the slow one still needs both: no room
    expect(converter.stats().droppedLines.queueFull).toBe(1);
    release();
    await converter.flush(1000);
    converter.feed(legacyLine(4));
    const stats = await converter.shutdown(1000);
    expect(stats.droppedLines.queueFull).toBe(1);
    expect(stats.destinations.map((d) => [d.name, d.exported])).toEqual([
      ['fast', 3],
      ['slow', 3],
    ]);
    expectBalanced(stats);
  });

  it('parse "soon": a waiting line holds one unit of the bound, and is parsed off the caller', async () => {
    const out = recorder('out', () => 'sync');
    const converter = new SpanConverter([out], { maxQueuedSpans: 3, parse: 'soon' });
    for (let i = 0; i < 5; i++) converter.feed(legacyLine(i));
    expect(out.batches).toHaveLength(0); // nothing parsed within feed
    expect(converter.stats()).toMatchObject({
      queued: 3,
      droppedLines: { queueFull: 2 },
      droppedSpans: { queueFull: 2 },
    });
    converter.drain(); // synchronous: a sync destination has the spans when it returns
    expect(out.spans()).toBe(3);
    await new Promise((r) => setImmediate(r));
    expect(converter.stats()).toMatchObject({ queued: 0, spans: 3 });
  });
});

describe('SpanConverter: counted per destination', () => {
  it('one of two destinations failing: the other exports every span, the failing one counts every span failed', async () => {
    const good = recorder('good');
    const dead = recorder('dead', () => 'fail');
    const converter = new SpanConverter([good, dead], { maxQueuedSpans: 1000 });
    for (let i = 0; i < 20; i++) converter.feed(legacyLine(i));
    converter.feed(bridgedLine(4));
    const stats = await converter.shutdown(1000);
    expect(stats.spans).toBe(25);
    expect(stats.destinations).toEqual([
      { name: 'good', exported: 25, failed: 0, notSent: 0, pending: 0 },
      { name: 'dead', exported: 0, failed: 25, notSent: 0, pending: 0 },
    ]);
    expect(good.spans()).toBe(25);
  });

  it('a destination that fails some sends: exported is what it took, failed the rest, batch by batch', async () => {
    const good = recorder('good', () => 'ok', 4);
    const flaky = recorder('flaky', (i) => (i % 2 === 1 ? 'fail' : 'ok'), 4);
    const converter = new SpanConverter([good, flaky], { maxQueuedSpans: 1000 });
    converter.feed(bridgedLine(9)); // 10 spans: sends of 4, 4, 2
    const stats = await converter.shutdown(1000);
    expect(good.batches.map((b) => b.reduce((n, g) => n + g.length, 0))).toEqual([4, 4, 2]);
    expect(stats.destinations[1]).toMatchObject({ exported: 6, failed: 4 });
    expect(flaky.spans()).toBe(6);
    expectBalanced(stats);
  });

  it('shutdown with a hung destination: within the bound, the unsent spans are notSent, a late answer changes nothing', async () => {
    vi.useFakeTimers();
    let answer!: () => void;
    const late: SpanDestination = { name: 'late', send: () => new Promise<void>((r) => (answer = r)) };
    const good = recorder('good');
    const converter = new SpanConverter([good, late], { maxQueuedSpans: 100 });
    for (let i = 0; i < 3; i++) converter.feed(legacyLine(i));
    const done = converter.shutdown(5000);
    await vi.advanceTimersByTimeAsync(4999);
    let finished = false;
    void done.then(() => (finished = true));
    await Promise.resolve();
    expect(finished).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const stats = await done;
    expect(stats.destinations).toEqual([
      { name: 'good', exported: 3, failed: 0, notSent: 0, pending: 0 },
      { name: 'late', exported: 0, failed: 0, notSent: 3, pending: 0 },
    ]);
    answer();
    await Promise.resolve();
    expect(converter.stats().destinations[1]).toMatchObject({ exported: 0, notSent: 3 });
  });
});

describe('SpanConverter: batching and the linger', () => {
  it('waits up to lingerMs for a full batch, then sends what there is in one send', async () => {
    vi.useFakeTimers();
    const out = recorder('out', () => 'ok', 10);
    const converter = new SpanConverter([out], { maxQueuedSpans: 100, lingerMs: 1000 });
    for (let i = 0; i < 3; i++) converter.feed(legacyLine(i));
    await vi.advanceTimersByTimeAsync(999);
    expect(out.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(out.batches).toHaveLength(1);
    expect(out.batches[0]!.map((g) => g.length)).toEqual([1, 1, 1]);
    for (let i = 0; i < 10; i++) converter.feed(legacyLine(10 + i)); // a full batch goes at once
    await Promise.resolve();
    expect(out.batches).toHaveLength(2);
    await converter.shutdown(100);
  });

  it('flush(timeoutMs) sends a partial batch at once, and gives up at its bound on a hung destination', async () => {
    vi.useFakeTimers();
    const out = recorder('out', () => 'ok', 10);
    const converter = new SpanConverter([out], { maxQueuedSpans: 100, lingerMs: 60_000 });
    converter.feed(legacyLine(1));
    expect(await converter.flush(100)).toBe('done');
    expect(out.spans()).toBe(1);

    const hung = new SpanConverter([recorder('hung', () => 'hang')], { maxQueuedSpans: 100 });
    hung.feed(legacyLine(1));
    const flushed = hung.flush(250);
    await vi.advanceTimersByTimeAsync(250);
    expect(await flushed).toBe('timeout');
    expect(hung.stats().destinations[0]).toMatchObject({ pending: 1, notSent: 0 });
  });
});

describe('SpanConverter: spans built elsewhere (feedSpans, for follow)', () => {
  /** `n` spans of one trace, as an assembler hands them out. */
  function group(n: number, salt: number): SpanRecord[] {
    return Array.from({ length: n }, (_, i) => ({
      ...span(),
      spanId: (0x3000 + salt * 16 + i).toString(16).padStart(16, '0'),
    }));
  }

  it('queues each group under the same bound and counters as lines, drops what does not fit, and sends them in order', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sent: SpanRecord[][][] = [];
    const slow: SpanDestination = {
      name: 'slow',
      send: async (batch) => {
        sent.push(batch.map((g) => [...g]));
        await gate;
      },
    };
    const converter = new SpanConverter([slow], { maxQueuedSpans: 5 });
    converter.feed(legacyLine(1)); // 1 span, in flight
    converter.feedSpans([group(3, 1), [], group(2, 2)]); // 3 fit, 2 do not
    let stats = converter.stats();
    expect(stats).toMatchObject({ lines: 1, summaryLines: 1, spans: 4, queued: 4 });
    expect(stats.droppedSpans.queueFull).toBe(2);
    expect(stats.droppedLines.queueFull).toBe(1);
    expectBalanced(stats);
    release();
    expect(await converter.flush(1000)).toBe('done');
    stats = converter.stats();
    expect(stats.destinations[0]).toMatchObject({ exported: 4, failed: 0, pending: 0 });
    expect(stats.queued).toBe(0);
    expect(sent.flat().map((g) => g.length)).toEqual([1, 3]);
    expect(sent.flat()[1]!.map((s) => s.spanId)).toEqual(group(3, 1).map((s) => s.spanId));
    converter.feedSpans([group(5, 3)]); // the room is back once sent
    expect(converter.stats().droppedSpans.queueFull).toBe(2);
    await converter.shutdown(1000);
    converter.feedSpans([group(2, 4)]);
    expect(converter.stats().droppedSpans.afterShutdown).toBe(2);
    expectBalanced(converter.stats());
  });
});

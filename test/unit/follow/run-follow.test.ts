/**
 * The follow runner (src/follow/run-follow.ts) in-process, with the test's stand-in source and
 * assembler (stand-ins.ts) and real destinations: an OTLP/JSON file and the fake OTLP receiver over
 * real HTTP. What it must do whatever assembler it drives: every released span reaches the
 * destinations, a checkpoint claims only exported spans and carries the open window to the next
 * run, a stop stays within its bound, and the counters reach the status line and the report.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeOtlpJsonLine, fromOtlpRequest } from '../../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import { fileDestination, httpDestination } from '../../../src/backfill/sinks/converter-destinations.js';
import { loadFollowCheckpoint } from '../../../src/follow/follow-checkpoint.js';
import { formatReport, runFollow, type FollowResult, type RunFollowOptions } from '../../../src/follow/run-follow.js';
import type { SpanDestination } from '../../../src/sdk/converter/span-converter.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/fake-otlp-receiver.js';
import { generateFixtureSet, type FixtureLine } from '../../fixtures/backfill/generate-fixtures.js';
import { ArraySource, batchSpans, TrivialAssembler } from './stand-ins.js';

const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const HOLD_MS = 30;

function fixture(seed: number, executions: number): { lines: FixtureLine[]; texts: string[] } {
  const set = generateFixtureSet({ seed, executions, noise: false });
  return { lines: set.lines, texts: set.lines.map((l) => l.text) };
}

function recorder(): SpanDestination & { spans: SpanRecord[] } {
  const spans: SpanRecord[] = [];
  return {
    name: 'recorder',
    spans,
    send(batch) {
      for (const g of batch) spans.push(...g);
    },
  };
}

/** Each span's OTLP/JSON with its resource and scope: what Jaeger hashes, byte for byte. */
function bytesById(spans: readonly SpanRecord[]): Map<string, string> {
  return new Map(spans.map((s) => [s.spanId, encodeOtlpJsonLine([s])]));
}

function expectSameSpans(got: readonly SpanRecord[], want: Map<string, SpanRecord>): void {
  const wantBytes = bytesById([...want.values()]);
  const gotBytes = bytesById(got);
  expect([...gotBytes.keys()].sort()).toEqual([...wantBytes.keys()].sort());
  for (const [id, bytes] of wantBytes) expect(gotBytes.get(id), id).toBe(bytes);
}

function baseOptions(
  extra: Partial<RunFollowOptions> & Pick<RunFollowOptions, 'sources' | 'assembler' | 'destinations' | 'stop'>,
): RunFollowOptions {
  return { maxQueuedSpans: 10_000, statusIntervalMs: 0, shutdownTimeoutMs: 2000, ...extra };
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds (a loaded machine is slow; no fixed sleeps for what must happen). */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick(10);
  }
}

/** The fixture's lines in two parts by execution: every trace wholly in one part, in line order. */
function splitByTrace(lines: readonly FixtureLine[], fraction: number): [string[], string[]] {
  const traceOf = (l: FixtureLine): string => String((JSON.parse(l.text) as { trace_id?: unknown }).trace_id);
  const ids = [...new Set(lines.map(traceOf))];
  const first = new Set(ids.slice(0, Math.floor(ids.length * fraction)));
  return [
    lines.filter((l) => first.has(traceOf(l))).map((l) => l.text),
    lines.filter((l) => !first.has(traceOf(l))).map((l) => l.text),
  ];
}

describe('follow runner', () => {
  it('exports, as lines arrive, the spans the batch builds from the same lines; the input ending releases the rest and ends the run', async () => {
    const { lines } = fixture(7, 40);
    // The stand-in closes a trace at its hold: each part holds whole traces (the real assembler's
    // handling of split traces is its own tests' business).
    const [partA, partB] = splitByTrace(lines, 0.5);
    const texts = [...partA, ...partB];
    const source = new ArraySource('stdin', texts);
    const out = recorder();
    const statuses: string[] = [];
    const stop = new AbortController();
    const running = runFollow(
      baseOptions({
        sources: [source],
        assembler: new TrivialAssembler(HOLD_MS),
        destinations: [out],
        stop: stop.signal,
        statusIntervalMs: 20,
        status: (l) => statuses.push(l),
      }),
    );
    source.push(partA.length);
    // The hold passes: the first part's traces go out on the release timer, before any input end.
    await until(() => out.spans.length > 0, 'spans released by the hold');
    await until(() => statuses.length > 0, 'a status line at its interval');
    source.push(texts.length);
    source.end();
    const result = await running;
    expect(result.reason).toBe('ended');
    expectSameSpans(out.spans, batchSpans(texts));
    expect(result.converter.destinations[0]).toMatchObject({ exported: out.spans.length, failed: 0 });
    expect(result.assembly.lines).toBe(texts.length);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.at(-1)).toMatch(
      /^alakai-otel follow: lines \d+, spans exported \d+, queued \d+, held \d+, late 0, dropped traces 0 lines 0 spans 0, open traces \d+ \| stdin reading \d+ lines lag 0\.0s$/,
    );
    expect(formatReport(result, 2000)).toContain(
      `spans        released ${out.spans.length}, exported ${out.spans.length}`,
    );
  });

  it('a stop with a checkpoint keeps the held window for the next run, which exports it: every span once, none lost', async () => {
    const { texts } = fixture(11, 30);
    const dir = await mkdtemp(join(tmpdir(), 'alakai-follow-'));
    const checkpoint = { path: join(dir, 'cp.json'), intervalMs: 40 };
    const output = join(dir, 'out.otlp.jsonl');
    const cut = Math.floor(texts.length * 0.6);

    const first = new ArraySource('file:a', texts);
    const stop1 = new AbortController();
    const run1 = runFollow(
      baseOptions({
        sources: [first],
        assembler: new TrivialAssembler(60_000), // nothing leaves on the hold in this run
        destinations: [await fileDestination(output)],
        checkpoint,
        stop: stop1.signal,
      }),
    );
    first.push(cut);
    await until(
      async () => (await loadFollowCheckpoint(checkpoint.path))?.sources[0]?.position['delivered'] === cut,
      'a periodic checkpoint',
    );
    stop1.abort();
    const r1 = await run1;
    expect(r1.reason).toBe('signal');
    expect(r1.converter.spans).toBe(0); // held, not released
    expect(r1.savedHeld).toBeGreaterThan(0);
    expect(r1.checkpoint).toMatchObject({ heldSinceLoss: false, failed: 0 });
    expect(r1.checkpoint!.written).toBeGreaterThanOrEqual(2); // periodic, and at the stop

    const restored = await loadFollowCheckpoint(checkpoint.path);
    expect(restored?.sources).toEqual([{ id: 'file:a', position: { delivered: cut } }]);
    const second = new ArraySource('file:a', texts);
    const stop2 = new AbortController();
    const run2 = runFollow(
      baseOptions({
        sources: [second],
        assembler: TrivialAssembler.restore(HOLD_MS, restored!.window),
        destinations: [await fileDestination(output, { bytes: 0, spans: 0 })],
        checkpoint,
        restored: restored!,
        stop: stop2.signal,
      }),
    );
    second.push(texts.length); // from the restored position: the rest only
    second.end();
    const r2 = await run2;
    expect(r2.assembly.lines).toBe(texts.length - cut);
    const written = (await readFile(output, 'utf8')).split('\n').filter((l) => l !== '');
    const spans = written.flatMap((l) => fromOtlpRequest(l));
    expect(spans.length).toBe(new Set(spans.map((s) => s.spanId)).size);
    expectSameSpans(spans, batchSpans(texts));
    expect((await loadFollowCheckpoint(checkpoint.path))?.totals).toEqual({ runs: 2, spansExported: spans.length });
  });

  it('after a span is lost (the collector refuses it), the checkpoint stays where it claims only delivered spans', async () => {
    const [partA, partB] = splitByTrace(fixture(12, 10).lines, 0.3);
    const texts = [...partA, ...partB];
    const dir = await mkdtemp(join(tmpdir(), 'alakai-follow-'));
    const receiver = await startOtlpReceiver('ok');
    receivers.push(receiver);
    const source = new ArraySource('file:a', texts);
    const stop = new AbortController();
    const checkpoint = { path: join(dir, 'cp.json'), intervalMs: 30 };
    const run = runFollow(
      baseOptions({
        sources: [source],
        assembler: new TrivialAssembler(HOLD_MS),
        destinations: [
          httpDestination({
            endpoint: receiver.url,
            timeoutMs: 500,
            retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
          }),
        ],
        checkpoint,
        stop: stop.signal,
      }),
    );
    source.push(partA.length);
    await until(
      async () =>
        (await loadFollowCheckpoint(checkpoint.path))?.totals.spansExported === receiver.acceptedSpanIds.size &&
        receiver.acceptedSpanIds.size > 0,
      'a checkpoint after the export',
    );
    const good = await loadFollowCheckpoint(checkpoint.path);
    expect(good?.sources[0]?.position).toEqual({ delivered: partA.length });
    await receiver.setFault('http500');
    source.push(texts.length);
    await until(() => receiver.rejected() > 0, 'a refused request');
    await tick(100); // periodic checkpoints come and go
    stop.abort();
    const result = await run;
    expect(result.converter.destinations[0]!.failed).toBeGreaterThan(0);
    expect(result.checkpoint?.heldSinceLoss).toBe(true);
    // What the last checkpoint claims (exported, or still in its window, or after its position) covers
    // every span: the refused ones are re-sent by a restart.
    const after = (await loadFollowCheckpoint(checkpoint.path))!;
    const delivered = after.sources[0]!.position['delivered'] as number;
    const restart = TrivialAssembler.restore(HOLD_MS, after.window);
    for (const text of texts.slice(delivered)) restart.add({ text }, 0);
    const claimed = new Set([
      ...receiver.acceptedSpanIds,
      ...restart.releaseAll().flatMap((g) => g.map((s) => s.spanId)),
    ]);
    expect([...batchSpans(texts).keys()].filter((id) => !claimed.has(id))).toEqual([]);
    expect(receiver.acceptedSpanIds.size).toBeLessThan(batchSpans(texts).size); // some were refused indeed
    expect(formatReport(result, 2000)).toContain('held at the last one before spans were lost');
  });

  it('a stop against a collector that hangs returns within the shutdown bound, counting the unsent spans', async () => {
    const { texts } = fixture(13, 20);
    const receiver = await startOtlpReceiver('hang');
    receivers.push(receiver);
    const source = new ArraySource('stdin', texts);
    const stop = new AbortController();
    const run = runFollow(
      baseOptions({
        sources: [source],
        assembler: new TrivialAssembler(60_000),
        destinations: [
          httpDestination({
            endpoint: receiver.url,
            timeoutMs: 60_000,
            retry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 5000 },
          }),
        ],
        shutdownTimeoutMs: 300,
        stop: stop.signal,
      }),
    );
    source.push(texts.length);
    await tick(20);
    const stoppedAt = Date.now();
    stop.abort();
    const result: FollowResult = await run;
    const took = Date.now() - stoppedAt;
    expect(took).toBeLessThan(300 + 1000); // the bound, plus the close floor and a loaded machine's slack
    expect(result.flushed).toBe('timeout');
    const d = result.converter.destinations[0]!;
    expect(d.exported).toBe(0);
    expect(d.notSent).toBe(result.assembly.spansReleased);
    expect(d.notSent).toBeGreaterThan(0);
    expect(source.stopped).toBe(true);
  });
});

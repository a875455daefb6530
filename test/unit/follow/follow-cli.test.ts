/**
 * `alakai-otel follow` as a user runs it: the built CLI as a child process, the three services'
 * files appended to in real time (the demo's services' lines and hand-written legacy lines), spans
 * to --output and to the fake OTLP receiver over real HTTP, compared byte for byte with
 * `alakai-otel backfill --input` over the same final files. Also: user mistakes (exit 2, one line),
 * SIGTERM's bound against a collector that hangs, and SIGKILL at 20 seeded points with restarts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/demo/prng.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/fake-otlp-receiver.js';
import { runCli } from '../demo/demo-fixture.js';
import {
  appendInRealTime,
  backfillSpans,
  componentFiles,
  demoLines,
  inWriteOrder,
  legacyLines,
  spanBytes,
  spansOfLines,
  spawnFollow,
  tempDir,
  until,
  type TimedLine,
} from './follow-cli-fixture.js';

const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

let lines: TimedLine[];
beforeAll(async () => {
  // Hand-written lines and the demo's, each in the order their services wrote them.
  lines = [...inWriteOrder(legacyLines(40, 14)), ...inWriteOrder(await demoLines(9, 20261202))];
});

/** Every span once in `got`, with the bytes the batch gives it; a span seen twice has the same bytes twice. */
function expectBatchSpans(got: Map<string, string[]>, batch: Map<string, string[]>): void {
  expect([...got.keys()].sort()).toEqual([...batch.keys()].sort());
  for (const [id, [bytes]] of batch) {
    const seen = got.get(id)!;
    expect(new Set(seen).size, `span ${id} exported with two contents`).toBe(1);
    expect(seen[0], id).toBe(bytes);
  }
}

describe('follow: user mistakes are one line, exit 2', () => {
  it.each([
    [[], 'needs --input FILE…|- or --log-group NAME…'],
    [['--input', 'a.log'], 'needs --otlp-endpoint URL, --output FILE or OTEL_EXPORTER_OTLP_ENDPOINT'],
    [['--input', '-', '-', '--output', 'o'], 'stdin (-) can be read only once'],
    [['--input', '-', '--output', 'o', '--checkpoint', 'c'], 'stdin cannot be reopened where a run stopped'],
    [['--input', 'a.log', '--output', 'o', '--hold', 'soon'], '--hold must look like 30m, 6h or 2d'],
    [['--input', 'a.log', '--output', 'o', '--region', 'eu-west-1'], '--region goes with --log-group'],
    [['--input', 'a.log', '--output', 'a.log'], '--output "a.log" is the input "a.log"'],
    [['--input', 'a.log', '--otlp-endpoint', 'nope'], '--otlp-endpoint is not a URL'],
    [['--input', 'a.log', '--output', 'o', '--max-queue', '0'], '--max-queue must be a whole number'],
    [
      ['--input', 'a.log', '--output', 'o', '--checkpoint-interval', '5s'],
      '--checkpoint-interval goes with --checkpoint',
    ],
  ])('%j', async (args, message) => {
    const dir = await tempDir();
    const cli = await runCli(['follow', ...args.map((a) => (a === '-' || a.startsWith('--') ? a : join(dir, a)))]);
    expect(cli.code).toBe(2);
    expect(cli.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(cli.stderr.replaceAll(dir + '/', '')).toContain(message);
  });

  it('--help lists every flag', async () => {
    const cli = await runCli(['follow', '--help']);
    expect(cli.code).toBe(0);
    for (const f of [
      '--input',
      '--log-group',
      '--otlp-endpoint',
      '--output',
      '--hold',
      '--checkpoint',
      '--status-interval',
      '--max-open-traces',
      '--max-queue',
      '--live-tail',
      '--from-start',
      '--shutdown-timeout',
    ])
      expect(cli.stdout).toContain(f);
  });
});

describe('follow: files appended to in real time', () => {
  it('exports to --output and over OTLP/HTTP the spans backfill builds from the final files, byte for byte', async () => {
    const dir = await tempDir();
    const files = await componentFiles(dir);
    const receiver = await startOtlpReceiver('ok');
    receivers.push(receiver);
    const output = join(dir, 'follow.otlp.jsonl');
    const run = spawnFollow([
      '--input',
      ...Object.values(files),
      '--output',
      output,
      '--otlp-endpoint',
      receiver.url,
      '--hold',
      '2s',
      '--status-interval',
      '100ms',
    ]);
    await until(() => run.stderr().includes('alakai-otel follow: lines'), 'the first status line');
    await appendInRealTime(files, lines, 40, 2000);
    const batch = spanBytes(await backfillSpans(Object.values(files)));
    // Spans go out as their parents arrive (or at the hold): all of them before any stop.
    await until(
      async () => spanBytes(spansOfLines(await readFile(output, 'utf8'))).size >= batch.size,
      'every span in --output',
    );
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit.code, run.stderr()).toBe(0);
    expectBatchSpans(spanBytes(spansOfLines(await readFile(output, 'utf8'))), batch);
    expectBatchSpans(spanBytes(receiver.acceptedSpans()), batch);
    expect(run.stderr()).toMatch(/ {2}late {9}0\n/);
    expect(run.stderr()).toContain('alakai-otel follow: stopped');
  });
});

describe('follow: SIGTERM', () => {
  it('against a collector that hangs, exits within --shutdown-timeout and reports the spans not sent', async () => {
    const dir = await tempDir();
    const files = await componentFiles(dir);
    const receiver = await startOtlpReceiver('hang');
    receivers.push(receiver);
    const run = spawnFollow([
      '--input',
      ...Object.values(files),
      '--from-start',
      '--otlp-endpoint',
      receiver.url,
      '--hold',
      '100ms',
      '--shutdown-timeout',
      '1s',
      '--status-interval',
      '100ms',
    ]);
    await appendInRealTime(files, lines.slice(0, 200), 4, 200);
    await until(() => receiver.requests() > 0, 'a request to the hanging collector');
    const sent = Date.now();
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    const took = Date.now() - sent;
    expect(exit.code).toBe(1); // every export failed
    expect(took).toBeLessThan(1000 + 1500); // the bound, plus process exit on a loaded machine
    expect(run.stderr()).toMatch(/not sent before the 1000 ms shutdown bound \d+/);
  });
});

describe('follow: SIGKILL and restart', () => {
  it('killed at 20 seeded points and restarted with the same --checkpoint and --output: every span exported, re-sends identical, the file only grew', async () => {
    const seed = Number(process.env['FOLLOW_KILL_SEED'] ?? 20261202);
    console.log(`follow kill test: seed ${seed} (FOLLOW_KILL_SEED=${seed} replays it)`);
    const rand = new SeededRandom(seed);
    const dir = await tempDir();
    const files = await componentFiles(dir);
    const output = join(dir, 'follow.otlp.jsonl');
    const checkpoint = join(dir, 'follow.checkpoint');
    await writeFile(output, '');
    const args = [
      '--input',
      ...Object.values(files),
      '--from-start',
      '--output',
      output,
      '--checkpoint',
      checkpoint,
      '--checkpoint-interval',
      '100ms',
      '--hold',
      '300ms',
      '--status-interval',
      '0',
    ];
    // Start-up alone (loading the CLI): each kill lands after it, at a seeded point of the run.
    const startedAt = Date.now();
    await runCli(['follow', '--help']);
    const startup = Date.now() - startedAt;
    const writing = appendInRealTime(files, lines, 120, 20 * (startup + 450));
    let before = '';
    for (let kill = 0; kill < 20; kill++) {
      const run = spawnFollow(args);
      await new Promise((r) => setTimeout(r, startup + rand.int(0, 900)));
      run.child.kill('SIGKILL');
      await run.exited;
      const now = await readFile(output, 'utf8');
      // Only grew: what earlier runs wrote (up to their last whole line) is still there, unchanged.
      const kept = before.slice(0, before.lastIndexOf('\n') + 1);
      expect(now.startsWith(kept), `kill ${kill}: the output was rewritten`).toBe(true);
      before = now;
    }
    await writing;
    // The restarts resumed from checkpoints (not from the files' start each time).
    const resumedFrom = JSON.parse(await readFile(checkpoint, 'utf8')) as { totals: { runs: number } };
    expect(resumedFrom.totals.runs).toBeGreaterThan(1);
    const batch = spanBytes(await backfillSpans(Object.values(files)));
    const last = spawnFollow([...args.slice(0, -1), '100ms']); // a status line says it is up
    await until(() => last.stderr().includes('alakai-otel follow: lines'), 'the last run to be up');
    await until(async () => {
      const text = await readFile(output, 'utf8');
      return text.endsWith('\n') && spanBytes(spansOfLines(text)).size >= batch.size;
    }, 'every span exported after the restarts');
    last.child.kill('SIGTERM');
    expect((await last.exited).code, last.stderr()).toBe(0);
    const final = await readFile(output, 'utf8');
    expect(final.startsWith(before.slice(0, before.lastIndexOf('\n') + 1))).toBe(true);
    const got = spanBytes(spansOfLines(final));
    expectBatchSpans(got, batch);
    const resent = [...got.values()].reduce((n, seen) => n + seen.length - 1, 0);
    console.log(
      `follow kill test: ${batch.size} spans, ${resent} re-sent (identical), checkpoint written by ${resumedFrom.totals.runs} runs`,
    );
  });
});

/**
 * The file tailer against real files in a temp directory: appends, partial lines, rotation by
 * rename, truncation, a file missing then created, a line over the limit, gzip refused, and a
 * stop/restart at the position delivering every line once.
 */
import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FollowLine, SourcePosition } from '../../../src/follow/follow-types.js';
import { TailFileSource, type TailFileOptions } from '../../../src/follow/sources/tail-file-source.js';

const POLL = { pollIntervalMs: 15 };
const running: TailFileSource[] = [];

afterEach(async () => {
  while (running.length > 0) await running.pop()!.stop();
});

async function tempFile(name = 'app.log'): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'alakai-tail-')), name);
}

/** Starts a tailer and collects what it delivers. */
function tail(path: string, options: TailFileOptions = {}, position?: SourcePosition) {
  const source = new TailFileSource(path, { ...POLL, ...options });
  running.push(source);
  const lines: string[] = [];
  source.start((batch: readonly FollowLine[]) => {
    for (const l of batch) lines.push(l.text);
  }, position);
  return { source, lines };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets a few polls pass (to show nothing more arrives). */
const settle = () => new Promise((r) => setTimeout(r, 120));

describe('TailFileSource', () => {
  it('starts at the end of an existing file and delivers what is appended, a partial line once whole', async () => {
    const path = await tempFile();
    await writeFile(path, 'old 1\nold 2\n');
    const { source, lines } = tail(path);
    await until(() => source.status().state === 'waiting', 'the first poll');
    await appendFile(path, 'new 1\nnew 2 part');
    await until(() => lines.length === 1, 'new 1');
    await settle();
    expect(lines).toEqual(['new 1']);
    await appendFile(path, 'ial\r\n\n   \nnew 3\n');
    await until(() => lines.length === 3, 'the rest');
    expect(lines).toEqual(['new 1', 'new 2 partial', 'new 3']);
    expect(source.status()).toMatchObject({ lines: 3, readErrors: 0, retries: 0 });
    expect(source.status().lagMs).toBeGreaterThanOrEqual(0);
  });

  it('reads an existing file from its start with fromStart, and from the start of a line being written', async () => {
    const path = await tempFile();
    await writeFile(path, 'a\nb\n');
    const all = tail(path, { fromStart: true });
    await until(() => all.lines.length === 2, 'a and b');
    expect(all.lines).toEqual(['a', 'b']);

    const path2 = await tempFile();
    await writeFile(path2, 'done\nhalf');
    const fromEnd = tail(path2);
    await until(() => fromEnd.source.status().state === 'waiting', 'the first poll');
    await appendFile(path2, ' written\n');
    await until(() => fromEnd.lines.length === 1, 'the line being written');
    expect(fromEnd.lines).toEqual(['half written']);
  });

  it('survives rotation by rename: the old file is finished, then the new one read from 0', async () => {
    const path = await tempFile();
    await writeFile(path, '');
    const { source, lines } = tail(path);
    await until(() => source.status().state === 'waiting', 'the first poll');
    await appendFile(path, 'one\n');
    await until(() => lines.length === 1, 'one');
    // Written to the old file just before it is moved away, then the new file gets lines.
    await appendFile(path, 'two\nthree (no newline)');
    await rename(path, `${path}.1`);
    await writeFile(path, 'four\n');
    await until(() => lines.length === 4, 'all four');
    expect(lines).toEqual(['one', 'two', 'three (no newline)', 'four']);
    expect(source.status().incidents).toMatchObject({ rotated: 1 });
  });

  it('survives truncation: reads again from 0, counted', async () => {
    const path = await tempFile();
    await writeFile(path, 'x'.repeat(100) + '\n');
    const { source, lines } = tail(path);
    await until(() => source.status().state === 'waiting', 'the first poll');
    await truncate(path, 0);
    await until(() => source.status().incidents?.['truncated'] === 1, 'the truncation');
    await appendFile(path, 'after truncation\n');
    await until(() => lines.length === 1, 'the new line');
    expect(lines).toEqual(['after truncation']);
  });

  it('a missing file is `missing`, polled on, and read from 0 once it is created', async () => {
    const path = await tempFile('later.log');
    const { source, lines } = tail(path);
    await until(() => source.status().state === 'missing', 'missing');
    await writeFile(path, 'first\nsecond\n');
    await until(() => lines.length === 2, 'both lines');
    expect(lines).toEqual(['first', 'second']);
    await rm(path);
    await until(() => source.status().state === 'missing', 'missing again');
    expect(source.status().incidents).toMatchObject({ missing: 2, removed: 1 });
  });

  it('a line over the limit is refused and counted; the lines around it go out', async () => {
    const path = await tempFile();
    await writeFile(path, '');
    const { source, lines } = tail(path, { maxLineBytes: 64, chunkBytes: 4096 });
    await until(() => source.status().state === 'waiting', 'the first poll');
    await appendFile(path, `before\n${'y'.repeat(10_000)}\nafter\n`);
    await until(() => lines.length === 2, 'before and after');
    expect(lines).toEqual(['before', 'after']);
    expect(source.status()).toMatchObject({ readErrors: 1, incidents: { too_large: 1 } });
  });

  it('refuses a gzip file with a message pointing at backfill, without crashing', async () => {
    const path = await tempFile('app.log.gz');
    await writeFile(path, gzipSync('a\n'));
    const { source, lines } = tail(path);
    await until(() => source.status().lastError !== undefined, 'the refusal');
    expect(source.status().lastError).toMatch(/gzip-compressed.*alakai-otel backfill --input/);
    expect(lines).toEqual([]);
  });

  it('stop and restart at the position: no line twice, none lost, across a rotation while stopped', async () => {
    const path = await tempFile();
    await writeFile(path, '');
    const expected: string[] = [];
    const seen: string[] = [];
    let position: SourcePosition | undefined;
    let n = 0;
    for (let round = 0; round < 4; round++) {
      const run = tail(path, {}, position);
      await until(() => run.source.status().state === 'waiting', 'the first poll');
      for (let i = 0; i < 5; i++) {
        const line = `line ${n++}`;
        expected.push(line);
        await appendFile(path, `${line}\n`);
      }
      // Half a line: not delivered before the stop, delivered whole after the restart.
      const half = `line ${n++}`;
      expected.push(half);
      await appendFile(path, half.slice(0, 4));
      await until(() => run.lines.length >= 5, `round ${round}`);
      await settle();
      await run.source.stop();
      seen.push(...run.lines);
      position = run.source.position();
      await appendFile(path, `${half.slice(4)}\n`);
      // Lines written while stopped, then (round 2) the file rotated away before the restart.
      const whileStopped = `line ${n++}`;
      expected.push(whileStopped);
      await appendFile(path, `${whileStopped}\n`);
      if (round === 2) {
        await rename(path, `${path}.${round}`);
        const fresh = `line ${n++}`;
        expected.push(fresh);
        await writeFile(path, `${fresh}\n`);
      }
    }
    const last = tail(path, {}, position);
    await until(() => seen.length + last.lines.length === expected.length, 'the last lines');
    await settle();
    seen.push(...last.lines);
    expect(seen).toEqual(expected);
  });
});

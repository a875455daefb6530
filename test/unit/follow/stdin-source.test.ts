/** stdin lines: through a PassThrough, and through a real pipe from a child process that writes in pieces. */
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StdinSource } from '../../../src/follow/sources/stdin-source.js';

function collect(source: StdinSource): string[] {
  const lines: string[] = [];
  source.start((batch) => lines.push(...batch.map((l) => l.text)));
  return lines;
}

describe('StdinSource', () => {
  it('delivers whole lines as they come, the last one without a newline at EOF, then ends', async () => {
    const stream = new PassThrough();
    const source = new StdinSource({ stream, maxLineBytes: 32 });
    const lines = collect(source);
    stream.write('one\ntw');
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual(['one']);
    stream.write(`o\n${'z'.repeat(100)}\nthree`);
    stream.end();
    await source.ended;
    expect(lines).toEqual(['one', 'two', 'three']);
    expect(source.status()).toMatchObject({ state: 'ended', lines: 3, readErrors: 1, incidents: { too_large: 1 } });
    expect(source.position()).toMatchObject({ resumable: false, lines: 3 });
  });

  it('reads a real pipe from a child process writing in pieces', async () => {
    const script = `
      const parts = ['{"a":1}\\n{"b"', ':2}\\n', '{"c":3}\\n'];
      let i = 0;
      const next = () => { if (i < parts.length) { process.stdout.write(parts[i++]); setTimeout(next, 20); } };
      next();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const source = new StdinSource({ stream: child.stdout });
    const lines = collect(source);
    await source.ended;
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('delivers nothing after stop, and ends', async () => {
    const stream = new PassThrough();
    const source = new StdinSource({ stream });
    const lines = collect(source);
    stream.write('before\n');
    await new Promise((r) => setImmediate(r));
    await source.stop();
    stream.write('after\n');
    await source.ended;
    expect(lines).toEqual(['before']);
  });
});

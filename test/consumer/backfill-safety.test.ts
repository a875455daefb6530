/**
 * Issue 11, item 3: the backfill never destroys its input. With the installed CLI, a user names
 * the input file again as --output / --report / --checkpoint — as typed, as ./x, absolute, through
 * a symlink or a hard link — or points an output at a directory, a missing directory, or the same
 * file as another output. Each is refused with exit 2 and one line naming the path, and the input
 * keeps every byte; nothing is created. The right command line still works afterwards.
 */
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateFixtureSet, writeNdjsonFiles } from '../fixtures/backfill/generate-fixtures.js';
import { consumerApp } from './harness/app.js';

const app = consumerApp();
const work = join(app.dir, 'safety');
let inputs: string[];
let digests: Map<string, string>;

const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  mkdirSync(work, { recursive: true });
  inputs = await writeNdjsonFiles(generateFixtureSet({ seed: 11, executions: 6 }), join(work, 'logs'));
  digests = new Map(inputs.map((p) => [p, digest(p)]));
  symlinkSync(inputs[0]!, join(work, 'core-link.ndjson'));
  linkSync(inputs[0]!, join(work, 'core-hard.ndjson'));
  mkdirSync(join(work, 'out-dir'));
  launcher = writeLauncher();
});

function expectInputsIntact(): void {
  for (const [path, sum] of digests) expect(digest(path), path).toBe(sum);
}

/**
 * The installed `alakai-otel` bin, run from the work folder (so relative paths are the user's
 * relative paths): a launcher that changes directory and then loads the package's own bin file.
 */
let launcher: string;

function cliInWork(args: string[]) {
  return app.run(launcher, { args: [work, ...args] });
}

function writeLauncher(): string {
  return app.write(
    'launch/cli-in-dir.mjs',
    `process.chdir(process.argv[2]);
process.argv.splice(2, 1);
await import(new URL('../node_modules/alakai-otel/bin/alakai-otel.js', import.meta.url).href);
`,
  );
}

async function backfill(args: string[]) {
  const before = new Set(readdirSync(work));
  const r = await cliInWork([
    'backfill',
    '--input',
    'logs/core.ndjson',
    'logs/orchestrator.ndjson',
    'logs/worker.ndjson',
    ...args,
  ]);
  const created = readdirSync(work).filter((f) => !before.has(f));
  return { ...r, created };
}

describe('backfill refuses outputs that are its input, before opening anything', () => {
  it.each([
    [
      '--output = --input, as typed',
      ['--output', 'logs/core.ndjson'],
      /--output "logs\/core\.ndjson" is the input file/,
    ],
    [
      '--output as ./path',
      ['--output', './logs/orchestrator.ndjson'],
      /--output "\.\/logs\/orchestrator\.ndjson" is the input file/,
    ],
    ['--output as an absolute path', ['--output', '<abs-worker>'], /--output ".*worker\.ndjson" is the input file/],
    ['--output through a symlink', ['--output', 'core-link.ndjson'], /--output "core-link\.ndjson" is the input file/],
    [
      '--output through a hard link',
      ['--output', 'core-hard.ndjson'],
      /--output "core-hard\.ndjson" is the input file/,
    ],
    [
      '--report = an input',
      ['--output', 'spans.jsonl', '--report', 'logs/worker.ndjson'],
      /--report "logs\/worker\.ndjson" is the input file/,
    ],
    [
      '--checkpoint = an input',
      ['--output', 'spans.jsonl', '--checkpoint', './logs/core.ndjson'],
      /--checkpoint "\.\/logs\/core\.ndjson" is the input file/,
    ],
  ])('%s: exit 2, one line, input unchanged', async (_what, args, message) => {
    const r = await backfill(args.map((a) => (a === '<abs-worker>' ? join(work, 'logs/worker.ndjson') : a)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.created).toEqual([]);
    expectInputsIntact();
  });
});

describe('backfill refuses outputs it cannot write, naming the path, before the run', () => {
  it.each([
    ['--output is a directory', ['--output', 'out-dir'], /--output "out-dir" is a directory/],
    [
      '--report in a missing directory',
      ['--output', 'spans.jsonl', '--report', 'no-such-dir/report.json'],
      /--report "no-such-dir\/report\.json": directory ".*no-such-dir" does not exist/,
    ],
    [
      '--checkpoint is a directory',
      ['--output', 'spans.jsonl', '--checkpoint', 'out-dir'],
      /--checkpoint "out-dir" is a directory/,
    ],
    [
      '--report under a file',
      ['--output', 'spans.jsonl', '--report', 'logs/core.ndjson/report.json'],
      /--report "logs\/core\.ndjson\/report\.json" cannot be written/,
    ],
    [
      '--output and --report the same file',
      ['--output', 'spans.jsonl', '--report', './spans.jsonl'],
      /--output and --report name the same file/,
    ],
    [
      '--report and --checkpoint the same file',
      ['--output', 'spans.jsonl', '--report', 'state.json', '--checkpoint', 'state.json'],
      /--report and --checkpoint name the same file/,
    ],
  ])('%s: exit 2, one line, nothing written', async (_what, args, message) => {
    const r = await backfill(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.created).toEqual([]);
    expectInputsIntact();
  });

  it('the corrected command line then writes spans, report and checkpoint', async () => {
    const r = await backfill(['--output', 'spans.jsonl', '--report', 'report.json', '--checkpoint', 'run.checkpoint']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'report.json'), 'utf8'))).toMatchObject({
      spansWritten: expect.any(Number),
    });
    expect(readFileSync(join(work, 'spans.jsonl'), 'utf8').length).toBeGreaterThan(0);
    expectInputsIntact();
  });
});

describe('live --output', () => {
  it('refuses the file it reads on stdin, and a directory', async () => {
    const log = join(work, 'service.log');
    writeFileSync(log, readFileSync(inputs[0]!));
    const sum = digest(log);
    const script = app.write(
      'launch/live-from-file.mjs',
      `import { spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
const bin = new URL('../node_modules/alakai-otel/bin/alakai-otel.js', import.meta.url).pathname;
const r = spawnSync(process.execPath, [bin, 'live', '--output', process.argv[2]], { stdio: [openSync(process.argv[3], 'r'), 'ignore', 'pipe'] });
process.stderr.write(r.stderr);
process.exitCode = r.status;
`,
    );
    const same = await app.run(script, { args: [log, log] });
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/--output ".*service\.log" is the file on stdin/);
    expect(digest(log)).toBe(sum);
    const dir = await app.run(script, { args: [join(work, 'out-dir'), log] });
    expect(dir.code).toBe(2);
    expect(dir.stderr).toMatch(/--output ".*out-dir" is a directory/);
    expect(existsSync(join(work, 'out-dir'))).toBe(true);
  });
});

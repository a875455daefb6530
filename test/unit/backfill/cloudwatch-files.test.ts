/**
 * The files CloudWatch Logs produces, read through the built CLI as users run it: export-task
 * objects (`<timestamp> <message>` lines, gzip), Firehose deliveries of a subscription filter
 * (concatenated gzip members, each a JSON envelope; CONTROL_MESSAGE among them) and Firehose's
 * extracted messages one per line. Each gives the same bytes as the services' NDJSON. Then the
 * hostile and damaged forms: truncated gzip, a gzip bomb, envelopes that are not JSON — each a
 * counted reject after the lines before it, never a crash or a lost run.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOG_GROUPS } from '../../../src/contract/summary-event.js';
import { openFileSource } from '../../../src/backfill/sources/file-source.js';
import type { SourceRecord } from '../../../src/backfill/source-types.js';
import { COMPONENT_ORDER, componentLines, type FixtureLine } from '../../fixtures/backfill/generate-fixtures.js';
import { CLI, REPO_ROOT, tempDir, writtenFixture, type WrittenFixture } from './backfill-fixture.js';

const run = promisify(execFile);

interface CliResult {
  code: number;
  stderr: string;
  output: string;
  report: Record<string, unknown>;
}

/** `backfill --input … --output … --report …` with the built CLI. */
async function backfill(inputs: string[], extra: string[] = []): Promise<CliResult> {
  const dir = await tempDir('alakai-cwfiles-out-');
  const out = join(dir, 'spans.otlp.jsonl');
  const reportPath = join(dir, 'report.json');
  let code = 0;
  let stderr: string;
  try {
    ({ stderr } = await run(
      process.execPath,
      [CLI, 'backfill', '--input', ...inputs, '--output', out, '--report', reportPath, ...extra],
      { cwd: REPO_ROOT, env: { PATH: process.env['PATH'] ?? '' }, maxBuffer: 16 << 20 },
    ));
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    code = typeof e.code === 'number' ? e.code : -1;
    stderr = e.stderr ?? '';
  }
  const read = async (p: string): Promise<string> => readFile(p, 'utf8').catch(() => '');
  const reportText = await read(reportPath);
  return {
    code,
    stderr,
    output: await read(out),
    report: reportText ? (JSON.parse(reportText) as Record<string, unknown>) : {},
  };
}

/** An export task's object: one `<ISO timestamp> <message>` per line, gzip (as CreateExportTask writes). */
function exportObject(lines: readonly FixtureLine[], epochMs = false): Buffer {
  const text = lines.map((l) => `${epochMs ? l.timeMs : new Date(l.timeMs).toISOString()} ${l.text}`).join('\n');
  return gzipSync(text + '\n');
}

interface Envelope {
  messageType: string;
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: { id: string; timestamp: number; message: string }[];
}

function envelope(group: string, lines: readonly FixtureLine[], messageType = 'DATA_MESSAGE'): Envelope {
  return {
    messageType,
    owner: '123456789012',
    logGroup: group,
    logStream: 'ecs/svc/0123456789abcdef',
    subscriptionFilters: ['alakai-to-firehose'],
    logEvents: lines.map((l, i) => ({ id: `${l.timeMs}${i}`, timestamp: l.timeMs, message: l.text })),
  };
}

const CONTROL: Envelope = {
  messageType: 'CONTROL_MESSAGE',
  owner: 'CloudWatchLogs',
  logGroup: '',
  logStream: '',
  subscriptionFilters: [],
  logEvents: [{ id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
};

/** What Firehose writes to S3 for a subscription filter: each record a gzip member, concatenated. */
function firehoseObject(envelopes: readonly Envelope[]): Buffer {
  return Buffer.concat(envelopes.map((e) => gzipSync(JSON.stringify(e))));
}

/** Each component's lines cut into envelopes of `size` events, in time order, across the groups. */
function envelopesOf(fx: WrittenFixture, size: number): Envelope[] {
  const out: { t: number; e: Envelope }[] = [];
  for (const c of COMPONENT_ORDER) {
    const lines = componentLines(fx.set, c);
    for (let i = 0; i < lines.length; i += size) {
      const part = lines.slice(i, i + size);
      out.push({ t: part[0]!.timeMs, e: envelope(LOG_GROUPS[c], part) });
    }
  }
  return out.sort((a, b) => a.t - b.t).map((x) => x.e);
}

let fx: WrittenFixture;
let reference: CliResult;

beforeAll(async () => {
  fx = await writtenFixture({ seed: 11, executions: 40 });
  reference = await backfill(fx.ndjson);
  expect(reference.code).toBe(0);
  expect(reference.output.length).toBeGreaterThan(0);
}, 60_000);

describe('CloudWatch export-task objects', () => {
  it('reads `<ISO timestamp> <message>` gzip objects into the same bytes as the NDJSON', async () => {
    const paths: string[] = [];
    for (const c of COMPONENT_ORDER) {
      const path = join(fx.dir, `export-${c}-000000.gz`);
      await writeFile(path, exportObject(componentLines(fx.set, c)));
      paths.push(path);
    }
    const result = await backfill(paths);
    expect(result.code).toBe(0);
    expect(result.output).toBe(reference.output);
    expect(result.report['rejected']).toEqual(reference.report['rejected']);
  });

  it('takes epoch-millisecond timestamps too, and plain (not gzip) objects', async () => {
    const paths: string[] = [];
    for (const c of COMPONENT_ORDER) {
      const path = join(fx.dir, `export-ms-${c}.txt`);
      await writeFile(path, exportObject(componentLines(fx.set, c), true));
      const plain = join(fx.dir, `export-plain-${c}.txt`);
      await writeFile(
        plain,
        componentLines(fx.set, c)
          .map((l) => `${new Date(l.timeMs).toISOString()} ${l.text}\n`)
          .join(''),
      );
      paths.push(c === 'core' ? plain : path);
    }
    const result = await backfill(paths);
    expect(result.code).toBe(0);
    expect(result.output).toBe(reference.output);
  });
});

describe('Firehose deliveries of a subscription filter', () => {
  it('reads concatenated gzip members of DATA_MESSAGE envelopes, skipping CONTROL_MESSAGE, into the same bytes', async () => {
    const envs = envelopesOf(fx, 7);
    const half = Math.floor(envs.length / 2);
    const a = join(fx.dir, 'firehose-1.gz');
    const b = join(fx.dir, 'firehose-2.gz');
    await writeFile(a, firehoseObject([CONTROL, ...envs.slice(0, half)]));
    await writeFile(b, firehoseObject([...envs.slice(half), CONTROL]));
    const result = await backfill([a, b]);
    expect(result.code).toBe(0);
    expect(result.output).toBe(reference.output);
    // The control messages are not lines: the counts are the NDJSON's.
    expect(result.report['linesRead']).toBe(reference.report['linesRead']);
  });

  it("reads Firehose's extracted messages, one per line, gzip", async () => {
    const path = join(fx.dir, 'firehose-extracted.gz');
    const lines = [...fx.set.lines].sort((x, y) => x.timeMs - y.timeMs);
    await writeFile(path, gzipSync(lines.map((l) => l.text + '\n').join('')));
    const result = await backfill([path]);
    expect(result.code).toBe(0);
    expect(result.report['spansWritten']).toBe(reference.report['spansWritten']);
  });

  it('reads only the log groups --log-group names, where the envelope names its group', async () => {
    const path = join(fx.dir, 'firehose-groups.gz');
    await writeFile(path, firehoseObject(envelopesOf(fx, 5)));
    const core = await backfill([path], ['--log-group', LOG_GROUPS.core]);
    expect(core.code).toBe(0);
    const coreOnly = await backfill([fx.ndjson[0]!]);
    expect(core.report['linesRead']).toBe(coreOnly.report['linesRead']);
    expect(core.report['spansWritten']).toBe(coreOnly.report['spansWritten']);
  });
});

/** Every record of a file, through the file source (in-process, for many variants quickly). */
async function records(path: string): Promise<SourceRecord[]> {
  const source = await openFileSource(path);
  const out: SourceRecord[] = [];
  for (let b = await source.next(); b; b = await source.next()) out.push(...b.records);
  await source.close();
  return out;
}

describe('damaged and hostile inputs', () => {
  it('a truncated gzip keeps the lines before the cut and counts one bad_gzip, wherever it is cut', async () => {
    const whole = firehoseObject(envelopesOf(fx, 9).slice(0, 6));
    const shown = (rs: SourceRecord[]): string[] => rs.map((r) => r.text ?? `<${r.readError}>`);
    const full = shown(await records(await writeTemp('whole.gz', whole)));
    for (const cut of [2, 5, 17, Math.floor(whole.length / 3), whole.length - 9, whole.length - 1]) {
      const got = shown(await records(await writeTemp(`cut-${cut}.gz`, whole.subarray(0, cut))));
      // What zlib inflated before the damage, exactly as in the whole file; then one reject.
      expect(got.at(-1)).toBe('<bad_gzip>');
      expect(got.slice(0, -1)).toEqual(full.slice(0, got.length - 1));
    }
    const result = await backfill([await writeTemp('truncated.gz', whole.subarray(0, Math.floor(whole.length / 2)))]);
    expect(result.code).toBe(0);
    expect((result.report['rejected'] as Record<string, number>)['bad_gzip']).toBe(1);
  });

  it('a gzip bomb is cut off and counted, not inflated to the end', async () => {
    // 256 MiB of zeros is about 250 KB of gzip: far past the inflate ratio once 64 MiB are out.
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
    const path = await writeTemp('bomb.gz', Buffer.concat([gzipSync(fx.set.lines[0]!.text + '\n'), bomb]));
    const started = Date.now();
    const result = await backfill([path]);
    expect(result.code).toBe(0);
    expect((result.report['rejected'] as Record<string, number>)['gzip_bomb']).toBe(1);
    expect(result.report['linesRead']).toBeLessThanOrEqual(3);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it('envelopes that are not JSON, or whose events have no message, are counted rejects', async () => {
    const good = envelope(LOG_GROUPS.core, componentLines(fx.set, 'core').slice(0, 4));
    const noMessage = {
      ...good,
      logEvents: [
        { id: '1', timestamp: 1 },
        { id: '2', timestamp: 2, message: 42 },
      ],
    };
    const text =
      JSON.stringify(good) + JSON.stringify(noMessage) + '{"messageType":"DATA_MESSAGE","logEvents":[{"message":"x"}';
    const path = await writeTemp('bad-envelopes.gz', Buffer.concat([gzipSync(text), gzipSync(JSON.stringify(good))]));
    const got = await records(path);
    expect(got.filter((r) => r.text !== undefined)).toHaveLength(5);
    expect(got.filter((r) => r.text === undefined).map((r) => r.readError)).toEqual([
      'bad_cloudwatch_event',
      'bad_cloudwatch_event',
      'bad_envelope',
    ]);
    const garbage = await writeTemp('garbage-envelope.json', '{"messageType": "DATA_MESSAGE", "logEvents": [}');
    expect((await records(garbage)).map((r) => r.readError)).toEqual(['bad_envelope']);
    const result = await backfill([path]);
    expect(result.code).toBe(0);
    expect(result.report['rejected']).toMatchObject({ bad_cloudwatch_event: 2, bad_envelope: 1 });
  });

  it('keys like __proto__ in an envelope are never copied, and oversized events are too_large', async () => {
    const hostile =
      '{"messageType":"DATA_MESSAGE","__proto__":{"polluted":1},"logGroup":"/g","logEvents":[' +
      `{"id":"1","timestamp":1,"message":${JSON.stringify('x'.repeat(2 * 1024 * 1024))}},` +
      '{"id":"2","timestamp":2,"message":"{\\"__proto__\\":{\\"polluted\\":1}}"}]}';
    const got = await records(await writeTemp('hostile.json', hostile));
    expect(got.map((r) => r.readError ?? 'text')).toEqual(['too_large', 'text']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

async function writeTemp(name: string, data: Buffer | string): Promise<string> {
  const path = join(fx.dir, name);
  await writeFile(path, data);
  return path;
}

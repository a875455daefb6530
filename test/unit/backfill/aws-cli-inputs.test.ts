/**
 * The aws CLI's JSON in the shapes users make (filter-log-events with a NextToken, `--query
 * 'events[].message'`, get-query-results), read as a stream: the scanner on every chunk split,
 * the records and partial notices, refusals, hostile documents and bounded memory.
 * The shapes are those the real aws CLI printed against moto (test/consumer/aws-cli-inputs.test.ts
 * runs the CLI itself).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AwsJsonScanner, type ScannedItem } from '../../../src/backfill/sources/aws-json-scanner.js';
import { looksLikeAwsCliJson } from '../../../src/backfill/sources/aws-cli-json.js';
import { openFileSource } from '../../../src/backfill/sources/file-source.js';
import type { SourceRecord } from '../../../src/backfill/source-types.js';
import { tempDir } from './backfill-fixture.js';

const pretty = (v: unknown): string => JSON.stringify(v, null, 4) + '\n';
const line = (n: number): string =>
  JSON.stringify({ time: `2026-05-01T00:00:0${n}.000Z`, level: 30, trace_id: 't', msg: `line ${n} "quoted" \\ é` });

function filterLogEvents(count: number, nextToken?: string): string {
  const events = Array.from({ length: count }, (_, i) => ({
    logStreamName: 's',
    timestamp: 1 + i,
    message: line(i),
    ingestionTime: 2 + i,
    eventId: String(i),
  }));
  return pretty({
    events,
    searchedLogStreams: [{ logStreamName: 's', searchedCompletely: true }],
    ...(nextToken ? { NextToken: nextToken } : {}),
  });
}

function queryResults(count: number, withMessage = true, status = 'Complete'): string {
  const results = Array.from({ length: count }, (_, i) => [
    { field: '@ptr', value: String(i) },
    { field: '@timestamp', value: '2026-05-01 00:00:00.000' },
    ...(withMessage ? [{ field: '@message', value: line(i) }] : [{ field: 'event', value: 'x' }]),
  ]);
  return pretty({ results, statistics: { recordsMatched: count, recordsScanned: count, bytesScanned: 1 }, status });
}

function scanAll(text: string, cut: number[], max = 1 << 20): ScannedItem[] {
  const bytes = Buffer.from(text);
  const scanner = new AwsJsonScanner(max);
  const out: ScannedItem[] = [];
  let from = 0;
  for (const c of [...cut, bytes.length]) {
    scanner.push(bytes.subarray(from, c), out);
    from = c;
  }
  scanner.end();
  return out;
}

interface Read {
  records: SourceRecord[];
  partial: string[];
}

async function readFile(
  text: string | Buffer,
  options: { chunkBytes?: number; maxLineBytes?: number; awsElementMaxBytes?: number } = {},
): Promise<Read> {
  const dir = await tempDir();
  const path = join(dir, 'input.json');
  await writeFile(path, text);
  const partial: string[] = [];
  const source = await openFileSource(path, undefined, { ...options, onPartial: (_s, m) => partial.push(m) });
  const records: SourceRecord[] = [];
  for (let b = await source.next(); b; b = await source.next()) records.push(...b.records);
  await source.close();
  return { records, partial };
}

describe('AwsJsonScanner', () => {
  it('finds the same elements and members wherever the chunks are cut', () => {
    const text = filterLogEvents(3, 'tok"en\\');
    const whole = scanAll(text, []);
    expect(whole.filter((i) => i.kind === 'element')).toHaveLength(3);
    expect(whole).toContainEqual({ kind: 'member', key: 'NextToken', json: JSON.stringify('tok"en\\') });
    for (let cut = 1; cut < Buffer.byteLength(text); cut += 7)
      expect(scanAll(text, [cut, Math.min(cut + 3, Buffer.byteLength(text))])).toEqual(whole);
  });

  it('skips an element over its limit as it streams past, and carries on', () => {
    const doc = pretty({ events: [{ message: 'x'.repeat(5000) }, { message: 'small' }] });
    const items = scanAll(doc, [100, 2000, 4000], 1000);
    expect(items.map((i) => i.kind)).toEqual(['array', 'oversized', 'element']);
  });

  it.each([
    ['{"events": [1,]}', /unexpected character/],
    ['{"events": [1] "x": 2}', /missing ","/],
    ['{"events": []} {}', /text after the end/],
    ['{"events": [', /ends in the middle/],
    ['', /is empty/],
    ['nope', /no JSON object or array/],
  ])('refuses broken structure %j', (text, message) => {
    expect(() => scanAll(text, [])).toThrow(message);
  });
});

describe('aws CLI documents through the file source', () => {
  it('filter-log-events with a NextToken (--max-items): every event read, and said to be partial', async () => {
    const r = await readFile(filterLogEvents(3, 'eyJuZXh0VG9rZW4iOiBudWxsfQ=='));
    expect(r.records.map((x) => x.text)).toEqual([line(0), line(1), line(2)]);
    expect(r.partial).toHaveLength(1);
    expect(r.partial[0]).toMatch(/input\.json is partial: .*NextToken.*--starting-token/);
  });

  it('filter-log-events without a token is not partial', async () => {
    const r = await readFile(filterLogEvents(4));
    expect(r.records).toHaveLength(4);
    expect(r.partial).toEqual([]);
  });

  it("an array of message strings (--query 'events[].message'), and of event objects (--query 'events[]')", async () => {
    expect((await readFile(pretty([line(0), line(1)]))).records.map((x) => x.text)).toEqual([line(0), line(1)]);
    expect((await readFile(JSON.stringify([{ message: line(5) + '\n' }]))).records.map((x) => x.text)).toEqual([
      line(5),
    ]);
  });

  it('get-query-results rows with @message; Running results are partial', async () => {
    const r = await readFile(queryResults(3));
    expect(r.records.map((x) => x.text)).toEqual([line(0), line(1), line(2)]);
    expect(r.partial).toEqual([]);
    const running = await readFile(queryResults(1, true, 'Running'));
    expect(running.records).toHaveLength(1);
    expect(running.partial[0]).toMatch(/status is "Running", not "Complete"/);
  });

  it('get-query-results without @message is refused with what to add to the query', async () => {
    await expect(readFile(queryResults(2, false))).rejects.toThrow(
      /without @message: add @message to the query's fields/,
    );
  });

  it('small chunks: records arrive as the document streams, not after it', async () => {
    const stdin = new PassThrough();
    const source = await openFileSource('-', undefined, { stdin });
    const doc = Buffer.from(filterLogEvents(200));
    stdin.write(doc.subarray(0, doc.length / 2));
    const first = await source.next();
    expect(first!.records.length).toBeGreaterThan(0);
    expect(first!.records.length).toBeLessThan(200);
    stdin.end(doc.subarray(doc.length / 2));
    let total = first!.records.length;
    for (let b = await source.next(); b; b = await source.next()) total += b.records.length;
    expect(total).toBe(200);
  });

  it('hostile documents: __proto__ keys pollute nothing, bad events and long lines are refused records', async () => {
    const doc =
      '{\n"__proto__": {"polluted": 1}, "events": [{"__proto__": {"message": "x"}}, {"message": 7}, "nope", {"message": "' +
      'y'.repeat(300) +
      '"}, {"message": "ok"}], "constructor": {"prototype": {"polluted": 1}}}';
    const r = await readFile(doc, { maxLineBytes: 100 });
    expect(r.records).toEqual([
      { text: undefined, readError: 'bad_cloudwatch_event' },
      { text: undefined, readError: 'bad_cloudwatch_event' },
      { text: undefined, readError: 'bad_cloudwatch_event' },
      { text: undefined, readError: 'too_large' },
      { text: 'ok' },
    ]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('message');
  });

  it('refuses JSON without a record array, and broken JSON, naming the file', async () => {
    await expect(readFile('{\n  "foo": 1\n}\n')).rejects.toThrow(/input\.json is JSON without an "events" array/);
    await expect(readFile('{\n  "events": [ {"message": "a"} ] ]')).rejects.toThrow(
      /input\.json is not valid JSON: it has a missing "," or "}"/,
    );
  });

  it('tells the new shapes from NDJSON by the first bytes', () => {
    expect(looksLikeAwsCliJson('[\n    "{\\"time\\"')).toBe(true);
    expect(looksLikeAwsCliJson('{"results":[[{"field":"@message"')).toBe(true);
    expect(looksLikeAwsCliJson('{"time":"2026-05-01T00:00:00.000Z","level":30}\n')).toBe(false);
  });
});

/**
 * The round trip the demo exists to show: the backfill of the demo's log files alone rebuilds
 * `spans.otlp.jsonl` span for span (ids, parents, times, names, kinds, statuses, attributes).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fromOtlpRequest } from '../../../src/contract/otlp-json.js';
import { parseLogLine, summaryEventToSpans } from '../../../src/contract/index.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import { runCli, runDemoFixture, type DemoOutput, removeFreshDirs } from './demo-fixture.js';

afterAll(removeFreshDirs);

let demo: DemoOutput;

beforeAll(async () => {
  demo = await runDemoFixture();
});

function sortedEntries(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** What the round trip must keep, in a form `toEqual` compares exactly. */
function comparable(span: SpanRecord): Record<string, unknown> {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? null,
    name: span.name,
    kind: span.kind,
    start: span.startTimeUnixNano.toString(),
    end: span.endTimeUnixNano.toString(),
    status: span.status,
    attributes: sortedEntries(span.attributes),
    events: span.events.map((e) => ({
      name: e.name,
      time: e.timeUnixNano.toString(),
      attributes: sortedEntries(e.attributes),
    })),
    resource: sortedEntries(span.resource),
    scope: span.scope,
  };
}

function bySpanId(spans: readonly SpanRecord[]): Record<string, unknown>[] {
  return spans.map(comparable).sort((a, b) => (String(a['spanId']) < String(b['spanId']) ? -1 : 1));
}

it("the demo's log lines alone carry every exported span (contract mapping, in process)", () => {
  const rebuilt = Object.values(demo.logLines)
    .flat()
    .flatMap((line) => {
      const parsed = parseLogLine(JSON.stringify(line));
      return parsed.kind === 'summary' ? summaryEventToSpans(parsed.event) : [];
    });
  expect(demo.spans.length).toBeGreaterThan(50);
  expect(bySpanId(rebuilt)).toEqual(bySpanId(demo.spans));
});

it('backfill of DIR/logs/*.ndjson equals DIR/spans.otlp.jsonl span for span', async () => {
  const logsDir = join(demo.dir, 'logs');
  const inputs = (await readdir(logsDir)).filter((f) => f.endsWith('.ndjson')).map((f) => join(logsDir, f));
  const output = join(demo.dir, 'backfill.otlp.jsonl');
  const report = join(demo.dir, 'backfill-report.json');
  const cli = await runCli(['backfill', '--input', ...inputs, '--output', output, '--report', report]);
  expect(cli.stderr).toBe('');
  expect(cli.code).toBe(0);
  const rebuilt = (await readFile(output, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .flatMap((l) => fromOtlpRequest(l));
  expect(demo.spans.length).toBeGreaterThan(0);
  expect(bySpanId(rebuilt)).toEqual(bySpanId(demo.spans));
});

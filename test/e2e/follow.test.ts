/**
 * `alakai-otel follow` end to end against the real peers: the built CLI polls three log groups in
 * moto with FilterLogEvents while the test puts the services' lines into them (PutLogEvents, in
 * batches, as the awslogs driver would), and exports to the real Collector → Jaeger (and to
 * --output). Then:
 *  - Jaeger's spans of every trace equal a batch `backfill` of the same period (same ids, parents,
 *    names, times, attributes), and --output equals that backfill's output byte for byte;
 *  - running that backfill into the Collector afterwards adds nothing: Jaeger's span counts and
 *    contents stay as they were.
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, expect, test } from 'vitest';
import { encodeOtlpJsonLine, fromOtlpRequest } from '../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../src/contract/span-record.js';
import { COMPONENT_ORDER, componentLines, generateFixtureSet } from '../fixtures/backfill/generate-fixtures.js';
import { logsClient } from './harness/cloudwatch.js';
import { describeRun, runCli } from './harness/cli.js';
import { jaegerTraceV3, type JaegerSpanView } from './harness/jaeger.js';
import { loadPeersEnv, peersChildEnv, REPO_DIR } from './harness/peers-env.js';
import { pollUntil } from './harness/poll.js';

const peers = loadPeersEnv();
const env = peersChildEnv(peers);
const client = logsClient(peers);
// Groups of our own: the moto peer is shared with other suites.
const run = randomUUID().slice(0, 8);
const groups = COMPONENT_ORDER.map((c) => `/e2e/follow-${run}/${c}`);
// Line times ≈ now, as the awslogs driver stamps each event when the service writes it (the batch's
// trace window compares line times with the CloudWatch range).
// A seed per run: Jaeger is shared and keeps earlier runs' traces, whose ids come from the seed.
const seed = Number.parseInt(run, 16) % 1_000_000;
const set = generateFixtureSet({ seed, executions: 12, spacingMs: 3000, noise: true, startMs: Date.now() });

afterAll(async () => {
  for (const g of groups) await client.send(new DeleteLogGroupCommand({ logGroupName: g })).catch(() => undefined);
});

function spansOf(text: string): SpanRecord[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .flatMap((l) => fromOtlpRequest(l));
}

function bytesById(spans: readonly SpanRecord[]): Map<string, string> {
  return new Map(spans.map((s) => [s.spanId, encodeOtlpJsonLine([s])]));
}

/** What Jaeger shows of a span, as one comparable string (sorted attributes included when asked). */
function view(s: JaegerSpanView, withAttributes = true): string {
  const head = [s.spanId, s.parentSpanId ?? '', s.name, s.service, s.startTimeUnixNano, s.endTimeUnixNano];
  if (!withAttributes) return JSON.stringify(head);
  // Jaeger's own notes (its clock-skew adjuster's warnings) are added at query time, not stored.
  const attributes = Object.entries(s.attributes).filter(([k]) => k !== '@jaeger@warnings');
  return JSON.stringify([...head, attributes.sort(([a], [b]) => (a < b ? -1 : 1))]);
}

function expected(s: SpanRecord): string {
  return JSON.stringify([
    s.spanId,
    s.parentSpanId ?? '',
    s.name,
    String(s.resource['service.name'] ?? ''),
    String(s.startTimeUnixNano),
    String(s.endTimeUnixNano),
  ]);
}

test('follow over moto (FilterLogEvents polling) into the Collector → Jaeger equals a batch backfill of the period; the backfill afterwards adds nothing', async () => {
  console.log(`follow e2e: fixture seed ${seed}`);
  const dir = await mkdtemp(join(tmpdir(), 'alakai-e2e-follow-'));
  const output = join(dir, 'follow.otlp.jsonl');
  for (const g of groups) {
    await client.send(new CreateLogGroupCommand({ logGroupName: g }));
    await client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'ecs/task/1' }));
  }
  const startMs = Date.now() - 1000;
  const args = [
    'follow',
    '--log-group',
    ...groups,
    '--endpoint',
    peers.motoEndpoint,
    '--region',
    peers.awsRegion,
    '--otlp-endpoint',
    `${peers.collectorOtlpHttp}/v1/traces`,
    '--output',
    output,
    '--hold',
    '3s',
    '--status-interval',
    '500ms',
  ];
  const child = spawn(process.execPath, [join(REPO_DIR, 'bin/alakai-otel.js'), ...args], {
    cwd: REPO_DIR,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  try {
    await pollUntil(async () => (stderr.includes('alakai-otel follow: lines') ? true : undefined), {
      what: 'follow to be up',
      timeoutMs: 30_000,
    });
    // The services' lines, put while follow polls: four batches per group, CloudWatch timestamps = now.
    const perGroup = COMPONENT_ORDER.map((c) => componentLines(set, c).map((l) => l.text));
    for (let part = 0; part < 4; part++) {
      for (const [i, g] of groups.entries()) {
        const lines = perGroup[i]!;
        const slice = lines.slice(Math.floor((lines.length * part) / 4), Math.floor((lines.length * (part + 1)) / 4));
        if (slice.length === 0) continue;
        const now = Date.now();
        await client.send(
          new PutLogEventsCommand({
            logGroupName: g,
            logStreamName: 'ecs/task/1',
            logEvents: slice.map((message) => ({ message, timestamp: now })),
          }),
        );
      }
      await new Promise((r) => setTimeout(r, 700));
    }
    const endMs = Date.now() + 1000;

    // The batch over the same period, from the same log groups.
    const batchOut = join(dir, 'batch.otlp.jsonl');
    const range = ['--start', String(startMs), '--end', String(endMs), '--log-group', ...groups, '--source', 'filter'];
    const batchArgs = [
      'backfill',
      ...range,
      '--endpoint',
      peers.motoEndpoint,
      '--region',
      peers.awsRegion,
      '--output',
      batchOut,
      '--quiet',
    ];
    const batch = await runCli(batchArgs, env);
    expect(batch.code, describeRun(batchArgs, batch)).toBe(0);
    const batchSpans = spansOf(await readFile(batchOut, 'utf8'));
    expect(batchSpans.length).toBe(set.validSummaryEvents);
    const want = bytesById(batchSpans);

    // follow exported all of them (polls every 2 s, the hold 3 s), byte for byte.
    await pollUntil(
      async () => {
        const got = bytesById(spansOf(await readFile(output, 'utf8').catch(() => '')));
        return got.size >= want.size ? got : undefined;
      },
      { what: `follow to export ${want.size} spans (stderr: ${stderr.slice(-500)})`, timeoutMs: 60_000 },
    );
    const got = bytesById(spansOf(await readFile(output, 'utf8')));
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [id, bytes] of want) expect(got.get(id), id).toBe(bytes);

    // Jaeger has every trace as the batch builds it.
    const byTrace = new Map<string, SpanRecord[]>();
    for (const s of batchSpans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
    const jaegerNow = async (): Promise<Map<string, JaegerSpanView[]>> => {
      const out = new Map<string, JaegerSpanView[]>();
      for (const traceId of byTrace.keys()) out.set(traceId, await jaegerTraceV3(peers.jaegerQueryUrl, traceId));
      return out;
    };
    const seen = await pollUntil(
      async () => {
        const j = await jaegerNow();
        return [...byTrace].every(([id, spans]) => (j.get(id)?.length ?? 0) >= spans.length) ? j : undefined;
      },
      { what: 'Jaeger to show every trace follow exported', timeoutMs: 60_000 },
    );
    for (const [traceId, spans] of byTrace) {
      const shown = seen.get(traceId)!;
      expect(shown.map((s) => view(s, false)).sort(), traceId).toEqual(spans.map(expected).sort());
    }

    // The backfill of the same period into the Collector adds nothing to Jaeger.
    const intoCollector = [
      'backfill',
      ...range,
      '--endpoint',
      peers.motoEndpoint,
      '--region',
      peers.awsRegion,
      '--otlp-endpoint',
      `${peers.collectorOtlpHttp}/v1/traces`,
      '--quiet',
    ];
    const again = await runCli(intoCollector, env);
    expect(again.code, describeRun(intoCollector, again)).toBe(0);
    await new Promise((r) => setTimeout(r, 5000)); // the Collector's batch delay, and Jaeger's write
    const after = await jaegerNow();
    // No new span id and no new content. (Jaeger may list a span stored twice twice, when its
    // query-time adjusters annotate the copies differently: distinct contents are compared.)
    for (const [traceId, shown] of seen)
      expect([...new Set(after.get(traceId)!.map((s) => view(s)))].sort(), traceId).toEqual(
        [...new Set(shown.map((s) => view(s)))].sort(),
      );
  } finally {
    child.kill('SIGTERM');
    expect(await exited, stderr.slice(-2000)).toBe(0);
  }
});

/**
 * Backfill faults, all at once, across process deaths: CloudWatch Logs answering with throttling
 * storms, 5xx, expired nextTokens and empty pages; an OTLP endpoint that answers 503 for a while
 * and then fails the run outright (400); and the process SIGKILLed at 20 seeded random points —
 * each run started again from its checkpoint until one completes.
 *
 * The backfill's own tests cover each fault alone (test/unit/backfill/cloudwatch-source.test.ts,
 * otlp-http-sink.test.ts, kill-resume.test.ts with files); this combines them over the
 * CloudWatch → OTLP/HTTP path in real child processes. The reference is the backfill of the same
 * lines from files: the set of spans the collector holds must equal it — no gap, and any span sent
 * twice (at-least-once over HTTP) is byte-identical to the first copy, so Jaeger keeps one.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { encodeOtlpJsonLine } from '../../../src/contract/otlp-json.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import { LOG_GROUPS } from '../../../src/contract/summary-event.js';
import { componentLines, COMPONENT_ORDER } from '../../fixtures/backfill/generate-fixtures.js';
import {
  backfillFiles,
  killFractions,
  tempDir,
  writtenFixture,
  type WrittenFixture,
} from '../backfill/backfill-fixture.js';
import {
  faults,
  startFakeCloudWatch,
  type FakeCloudWatch,
  type FakeRequest,
  type Fault,
} from '../backfill/fake-cloudwatch.js';
import { startOtlpReceiver, type OtlpAnswer, type OtlpReceiver } from '../../support/fake-otlp-receiver.js';
import { recordFigures } from './figures.js';

const CHILD = new URL('../../fixtures/reliability/backfill-cloudwatch-child.mjs', import.meta.url).pathname;
const KILLS = 20;

let fx: WrittenFixture;
let reference: Map<string, string>;
let range: { startMs: number; endMs: number };
const servers: Array<FakeCloudWatch | OtlpReceiver> = [];

beforeAll(async () => {
  fx = await writtenFixture({ seed: 71, executions: 300, spacingMs: 30_000 });
  const ref = await backfillFiles(fx.ndjson);
  reference = new Map(ref.spans.map((s) => [s.spanId, encodeOtlpJsonLine([s])]));
  const times = fx.set.lines.map((l) => l.timeMs);
  range = { startMs: Math.min(...times), endMs: Math.max(...times) + 1 };
});
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

/**
 * Armed by a run that is to be killed: SIGKILL at its `remaining`-th request to `on` — mid-pagination
 * (a CloudWatch request) or mid-delivery (an OTLP request the collector takes but the child never
 * hears answered, so it will send those spans again).
 */
let killSwitch: { on: 'cloudwatch' | 'otlp'; remaining: number; kill: () => void } | undefined;

function tripKillSwitch(on: 'cloudwatch' | 'otlp'): void {
  if (killSwitch?.on === on && --killSwitch.remaining === 0) killSwitch.kill();
}

/** A storm of 3 throttles in every 10 requests, a 503 every 17th, and every 13th nextToken expired. */
function cloudWatchFaults(req: FakeRequest): Fault | undefined {
  tripKillSwitch('cloudwatch');
  if (req.index % 10 < 3) return faults.throttling();
  if (req.index % 17 === 5) return faults.serverError(503);
  if (typeof req.body['nextToken'] === 'string' && req.index % 13 === 0) return faults.expiredToken();
  return undefined;
}

async function startPeers(otlpAnswer: (index: number) => OtlpAnswer) {
  const groups: Record<string, { timestamp: number; message: string }[]> = {};
  for (const c of COMPONENT_ORDER)
    groups[LOG_GROUPS[c]] = componentLines(fx.set, c).map((l) => ({ timestamp: l.timeMs, message: l.text + '\n' }));
  const cw = await startFakeCloudWatch({ groups, pageSize: 40, emptyPagesBetween: 1, fault: cloudWatchFaults });
  const otlp = await startOtlpReceiver('ok', { answer: otlpAnswer });
  servers.push(cw, otlp);
  return { cw, otlp };
}

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  wallMs: number;
}

/** Runs the child; with `killAt`, SIGKILLs it at its that-many-th request of that kind. */
function runChild(
  config: Record<string, unknown>,
  killAt?: { on: 'cloudwatch' | 'otlp'; request: number },
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CHILD], {
      env: { ...process.env, BACKFILL_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    killSwitch =
      killAt === undefined
        ? undefined
        : { on: killAt.on, remaining: killAt.request, kill: () => child.kill('SIGKILL') };
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      killSwitch = undefined;
      resolve({ code, signal, stderr, wallMs: Date.now() - started });
    });
  });
}

function expectSameSpans(accepted: SpanRecord[]): { duplicates: number } {
  const seen = new Map<string, string>();
  let duplicates = 0;
  for (const span of accepted) {
    const bytes = encodeOtlpJsonLine([span]);
    const first = seen.get(span.spanId);
    if (first !== undefined) {
      duplicates++;
      expect(bytes).toBe(first); // a re-sent span is identical: Jaeger keeps one copy
      continue;
    }
    seen.set(span.spanId, bytes);
    expect(bytes).toBe(reference.get(span.spanId)); // exactly the file backfill's span
  }
  expect(seen.size).toBe(reference.size); // no gap
  return { duplicates };
}

it(`CloudWatch storms + OTLP outage + ${KILLS} SIGKILLs: the collector ends up with exactly the clean run's spans`, async () => {
  const dir = await tempDir('alakai-reliability-backfill-');
  const base = { logGroups: Object.values(LOG_GROUPS), ...range, windowMs: 10 * 60_000 };

  // A clean run under the same CloudWatch faults measures the work (its request count).
  const clean = await startPeers(() => ({ status: 200 }));
  const cleanRun = await runChild({
    ...base,
    cwEndpoint: clean.cw.endpoint,
    otlpUrl: clean.otlp.url,
    checkpoint: join(dir, 'clean.checkpoint'),
  });
  servers.splice(servers.indexOf(clean.cw), 1);
  await clean.cw.close(); // its request indices must not drive the faulty run's kill switch
  expect(cleanRun.stderr).toMatch(/^REPORT /m);
  expect(cleanRun.code).toBe(0);
  expectSameSpans(clean.otlp.acceptedSpans());

  // The collector answers 503 (retried) for a stretch, then 400 once (the run fails, exit 1).
  let requests = 0;
  let failedOnce = false;
  const faulty = await startPeers(() => {
    tripKillSwitch('otlp');
    requests++;
    if (requests >= 15 && requests < 25) return { status: 503, headers: { 'retry-after': '0' } };
    if (requests === 40 && !failedOnce) {
      failedOnce = true;
      return { status: 400 };
    }
    return { status: 200 };
  });
  const config = {
    ...base,
    cwEndpoint: faulty.cw.endpoint,
    otlpUrl: faulty.otlp.url,
    checkpoint: join(dir, 'run.checkpoint'),
  };
  // Kill points: seeded positions among the CloudWatch requests a clean run makes (faults included).
  // Kill points, seeded: every other run dies at its 1st–3rd OTLP request (after delivering), the
  // others somewhere in their first 90 CloudWatch requests (mid-pagination, maybe before any output).
  const cleanRequests = clean.cw.requests.length;
  let kills = 0;
  let failures = 0;
  let finished: ChildRun | undefined;
  let killsMidDelivery = 0;
  const points = killFractions(20260505, KILLS).map((f, i) =>
    i % 2 === 0
      ? { on: 'otlp' as const, request: 1 + Math.floor(f * 3) }
      : { on: 'cloudwatch' as const, request: 1 + Math.floor(f * Math.min(90, cleanRequests)) },
  );
  for (const point of points) {
    const before = faulty.otlp.acceptedSpans().length;
    const run = await runChild(config, point);
    if (run.signal === 'SIGKILL') {
      kills++;
      if (faulty.otlp.acceptedSpans().length > before) killsMidDelivery++;
    } else if (run.code === 1) failures++;
    else {
      finished = run;
      break;
    }
  }
  for (let i = 0; !finished && i < 10; i++) {
    const run = await runChild(config);
    if (run.code === 0) finished = run;
    else failures++;
  }
  expect(finished?.code).toBe(0);
  expect(kills).toBe(KILLS);
  // Some kills landed right after the collector took a batch the child never heard answered.
  expect(killsMidDelivery).toBeGreaterThanOrEqual(KILLS / 4);
  expect(failedOnce).toBe(true);
  const { duplicates } = expectSameSpans(faulty.otlp.acceptedSpans());
  const report = JSON.parse(
    finished!.stderr
      .split('\n')
      .find((l) => l.startsWith('REPORT '))!
      .slice(7),
  ) as Record<string, unknown>;
  expect(report['resumed']).toBe(true);
  recordFigures('backfill CloudWatch faults + OTLP outage + SIGKILLs', {
    spansExpected: reference.size,
    spansDistinctAtCollector: new Set(faulty.otlp.acceptedSpans().map((s) => s.spanId)).size,
    spansResentIdentical: duplicates,
    sigkills: kills,
    sigkillsAfterDelivering: killsMidDelivery,
    failedRunsResumed: failures,
    cloudWatchRequests: faulty.cw.requests.length,
    otlpRequests: faulty.otlp.requests(),
  });
}, 300_000);

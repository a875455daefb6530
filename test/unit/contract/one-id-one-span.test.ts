/**
 * One id, one span (issue 14 item 3; docs/mapping.md#one-id-one-span): the same lines fed through
 * every path that turns summary lines into spans, and no span id ever comes out with two contents.
 *
 * Paths, each as the user runs it:
 * - zero-code in-process: setupAlakaiTracing({ zeroCode: true }) on a pino logger, the real
 *   OTLP/HTTP exporter, into the one fake OTLP receiver (its request bodies as received);
 * - `live`: the built CLI, stdin → `--output` OTLP/JSON lines;
 * - the Lambda handler: CloudWatch Logs subscription payloads (gzip + base64), one log group per
 *   component, exporting to the receiver;
 * - `backfill`: the built CLI over one NDJSON file per component, `--output`;
 * - `follow`: the built CLI over stdin (FOLLOW_PATH below).
 *
 * Line sets: the demo's logs as written (bridged slices, step lines), the same lines with the
 * bridge fields taken out (what the services log by hand today), a partial rollout (core bridged,
 * the others by hand), and the backfill's hand-written legacy fixture (all its scenarios, noise,
 * duplicates) — each with a third of its lines logged twice more.
 *
 * The bridged lines' spans are also compared with what the demo's services exported live.
 *
 * A span's content is its canonical OTLP/JSON: resource, scope and span, protobuf defaults left
 * out (an absent field and its zero value are one protobuf), int64s as strings, keys sorted,
 * arrays (attributes included) in their order — what Jaeger's duplicate check compares.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlakaiLambdaHandler } from '../../../src/lambda/handler.js';
import { setupAlakaiTracing } from '../../../src/sdk/setup.js';
import { generateFixtureSet } from '../../fixtures/backfill/generate-fixtures.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/fake-otlp-receiver.js';
import { CLI, REPO_ROOT, removeFreshDirs, runDemoFixture } from '../demo/demo-fixture.js';

const COMPONENTS = ['core', 'orchestrator', 'worker'] as const;
type Component = (typeof COMPONENTS)[number];
/** One service's log, line by line, as it would reach CloudWatch. */
type Logs = Record<Component, string[]>;

interface Path {
  name: string;
  /** Whether the path sees a trace whole (backfill, follow) or one line at a time. */
  linked: boolean;
  /** The OTLP/JSON export requests the path produced for `logs`. */
  run(logs: Logs): Promise<string[]>;
}

let receiver: OtlpReceiver;
let work: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  work = await mkdtemp(join(tmpdir(), 'alakai-one-id-'));
});
afterAll(async () => {
  await receiver.close();
  await rm(work, { recursive: true, force: true });
  await removeFreshDirs();
});

let runs = 0;
const nextFile = (name: string): string => join(work, `${++runs}-${name}`);

/** Receiver bodies that arrive while `action` runs. */
async function receivedDuring(action: () => Promise<void>): Promise<string[]> {
  const before = receiver.acceptedBodies().length;
  await action();
  return receiver.acceptedBodies().slice(before);
}

function cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('ALAKAI_')),
  );
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: REPO_ROOT, env, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? Number(err.code) : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin!.end(stdin ?? '');
  });
}

const nonEmptyLines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

const zeroCode: Path = {
  name: 'zero-code in-process',
  linked: false,
  // One service process per component, as deployed: its own pino logger, teed by zero-code mode.
  async run(logs) {
    return receivedDuring(async () => {
      for (const component of COMPONENTS) {
        const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
        const logger = pino({ base: null, timestamp: false }, sink);
        const tracing = setupAlakaiTracing({
          service: `alakai-${component}`,
          component,
          logger,
          zeroCode: true,
          exporter: new OTLPTraceExporter({ url: receiver.url }),
          handleSignals: false,
          flushOnExit: false,
        });
        for (const text of logs[component]) {
          let fields: Record<string, unknown>;
          try {
            fields = JSON.parse(text) as Record<string, unknown>;
          } catch {
            logger.info(text); // not JSON: a plain line, as a service may print one
            continue;
          }
          if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) continue;
          const { level: _level, msg, ...rest } = fields;
          logger.info(rest, typeof msg === 'string' ? msg : undefined);
        }
        await tracing.shutdown();
        expect(tracing.stats().spansDropped).toBe(0);
      }
    });
  },
};

const live: Path = {
  name: 'live',
  linked: false,
  async run(logs) {
    const output = nextFile('live.otlp.jsonl');
    const input = COMPONENTS.flatMap((c) => logs[c]).join('\n') + '\n';
    const result = await cli(['live', '--output', output], input);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(input); // lines pass through unchanged
    return nonEmptyLines(await readFile(output, 'utf8'));
  },
};

const lambda: Path = {
  name: 'Lambda handler',
  linked: false,
  async run(logs) {
    const handler = createAlakaiLambdaHandler({ otlpEndpoint: receiver.url });
    return receivedDuring(async () => {
      for (const component of COMPONENTS) {
        // CloudWatch delivers a log group's events in batches; 200 a batch keeps several per group.
        const lines = logs[component];
        for (let from = 0; from < lines.length; from += 200) {
          const logEvents = lines.slice(from, from + 200).map((message, i) => ({
            id: String(from + i),
            timestamp: Date.parse('2026-05-05T12:00:00.000Z') + from + i,
            message,
          }));
          const envelope = {
            messageType: 'DATA_MESSAGE',
            owner: '123456789012',
            logGroup: `/ecs/alakai-${component}`,
            logStream: `ecs/${component}/1`,
            subscriptionFilters: ['alakai-otel'],
            logEvents,
          };
          const data = gzipSync(JSON.stringify(envelope)).toString('base64');
          const result = await handler({ awslogs: { data } });
          expect(result.spansFailed).toBe(0);
        }
      }
    });
  },
};

async function writeLogs(logs: Logs): Promise<string[]> {
  const files: string[] = [];
  for (const component of COMPONENTS) {
    const file = nextFile(`${component}.ndjson`);
    await writeFile(file, logs[component].map((l) => l + '\n').join(''));
    files.push(file);
  }
  return files;
}

const backfill: Path = {
  name: 'backfill',
  linked: true,
  async run(logs) {
    const inputs = await writeLogs(logs);
    const output = nextFile('backfill.otlp.jsonl');
    const result = await cli(['backfill', '--input', ...inputs, '--output', output, '--report', output + '.report']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return nonEmptyLines(await readFile(output, 'utf8'));
  },
};

/**
 * FOLLOW_PATH: the built `alakai-otel follow` reading the three services' lines from stdin (one
 * stream: core's, then the orchestrator's, then the worker's), each execution assembled as they
 * come and everything still held sent at the end of input.
 */
const FOLLOW_PATH: Path = {
  name: 'follow',
  linked: true,
  async run(logs) {
    const output = nextFile('follow.otlp.jsonl');
    const stdin = COMPONENTS.map((c) => logs[c].map((l) => l + '\n').join('')).join('');
    const result = await cli(['follow', '--input', '-', '--output', output, '--status-interval', '0'], stdin);
    expect(result.code, result.stderr).toBe(0);
    return nonEmptyLines(await readFile(output, 'utf8'));
  },
};

const PATHS: readonly Path[] = [zeroCode, live, lambda, backfill, FOLLOW_PATH];

// ---- canonical content ------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** Span and event fields that are int64 in OTLP: JSON may write them as numbers or strings. */
const INT64 = new Set(['startTimeUnixNano', 'endTimeUnixNano', 'timeUnixNano', 'intValue']);

function isDefault(value: Json): boolean {
  return (
    value === null ||
    value === 0 ||
    value === '' ||
    value === false ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)
  );
}

/**
 * Protobuf defaults out, int64s as strings, keys sorted. Inside an attribute's value a zero or an
 * empty string is a value, not a default (AnyValue is a oneof), so only structure is normalized.
 */
function canonical(value: Json, insideValue = false): Json {
  if (Array.isArray(value)) return value.map((v) => canonical(v, insideValue));
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(value).sort()) {
    const inValue = insideValue || key === 'value';
    let v = canonical(value[key]!, inValue);
    if (INT64.has(key) && (typeof v === 'number' || typeof v === 'string')) v = String(v);
    if (!inValue && isDefault(v)) continue;
    out[key] = v;
  }
  return out;
}

/** Span id → canonical content of every span in the requests. */
function spanContents(requests: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const text of requests) {
    const request = JSON.parse(text) as { resourceSpans: { resource?: Json; scopeSpans: Json[] }[] };
    for (const rs of request.resourceSpans) {
      const resource = canonical(rs.resource ?? {});
      for (const ss of rs.scopeSpans as { scope?: Json; spans: { spanId: string }[] }[]) {
        const scope = canonical(ss.scope ?? {});
        for (const span of ss.spans)
          out.push([span.spanId, JSON.stringify({ resource, scope, span: canonical(span) })]);
      }
    }
  }
  return out;
}

// ---- the line sets ----------------------------------------------------------------------------

const BRIDGE_FIELDS = ['span_id', 'parent_span_id', 'otel'];

/** A summary line as the service logs it by hand: the bridge fields taken out. */
function byHand(text: string): string {
  const line = JSON.parse(text) as Record<string, unknown>;
  if (typeof line.msg !== 'string' || !line.msg.startsWith('[event] ')) return text;
  for (const f of BRIDGE_FIELDS) delete line[f];
  return JSON.stringify(line);
}

/** Every third line logged twice more, at the end (a retried delivery, a second pipeline). */
function withDuplicates(logs: Logs): Logs {
  const out = {} as Logs;
  for (const c of COMPONENTS) out[c] = [...logs[c], ...logs[c].filter((_, i) => i % 3 === 0)];
  return out;
}

function mapLogs(logs: Logs, f: (component: Component, text: string) => string): Logs {
  const out = {} as Logs;
  for (const c of COMPONENTS) out[c] = logs[c].map((t) => f(c, t));
  return out;
}

let demoLogs: Logs;
/** What the demo's services exported live, through the SDK's own OTLP/HTTP exporter. */
let demoLiveExport: string[];
beforeAll(async () => {
  let demo: Awaited<ReturnType<typeof runDemoFixture>> | undefined;
  demoLiveExport = await receivedDuring(async () => {
    demo = await runDemoFixture(['--executions', '6'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.replace(/\/v1\/traces$/, ''),
    });
  });
  if (demo === undefined) throw new Error('the demo did not run');
  demoLogs = {} as Logs;
  for (const c of COMPONENTS)
    demoLogs[c] = nonEmptyLines(await readFile(join(demo.dir, 'logs', `${c}.ndjson`), 'utf8'));
}, 120_000);

function handWrittenLogs(): Logs {
  const set = generateFixtureSet({ seed: 14, executions: 12 });
  const logs: Logs = { core: [], orchestrator: [], worker: [] };
  for (const line of set.lines) logs[line.component].push(line.text);
  return logs;
}

interface PathSpans {
  path: Path;
  spans: [string, string][];
}

/** Feeds `logs` through every path; fails on any span id with two contents. */
async function everyPath(logs: Logs): Promise<PathSpans[]> {
  const results: PathSpans[] = [];
  for (const path of PATHS) results.push({ path, spans: spanContents(await path.run(logs)) });
  const contents = new Map<string, Map<string, string>>();
  for (const { path, spans } of results) {
    expect(spans.length, path.name).toBeGreaterThan(0);
    for (const [id, content] of spans) {
      let byContent = contents.get(id);
      if (byContent === undefined) contents.set(id, (byContent = new Map()));
      if (!byContent.has(content)) byContent.set(content, path.name);
    }
  }
  const conflicts = [...contents].filter(([, byContent]) => byContent.size > 1);
  expect(
    conflicts.map(([id, byContent]) => `${id}: ${[...byContent.values()].join(' ≠ ')}`),
    'span ids with two contents',
  ).toEqual([]);
  return results;
}

const ids = (r: PathSpans): Set<string> => new Set(r.spans.map(([id]) => id));
const contentOf = (r: PathSpans): Map<string, string> => new Map(r.spans);
const attributesOf = (content: string): Record<string, unknown> => {
  const { span } = JSON.parse(content) as { span: { attributes?: { key: string; value: unknown }[] } };
  return Object.fromEntries((span.attributes ?? []).map((a) => [a.key, a.value]));
};

describe('one id, one span: the same lines through zero-code, live, the Lambda handler, backfill and follow', () => {
  it("the demo's logs as written (bridged slices, step lines): every path exports the very same spans", async () => {
    const results = await everyPath(withDuplicates(demoLogs));
    const [first, ...rest] = results;
    expect(ids(first!).size).toBeGreaterThan(50);
    for (const r of rest) expect([...ids(r)].sort(), r.path.name).toEqual([...ids(first!)].sort());
    // And they are the spans the services exported live (the SDK's exporter, its own flags), so
    // Jaeger keeps one copy when both arrive.
    const live = new Map(spanContents(demoLiveExport));
    expect([...live.keys()].sort()).toEqual([...ids(first!)].sort());
    for (const r of results)
      for (const [id, content] of r.spans) expect(content, `${r.path.name}: ${id}`).toBe(live.get(id));
  });

  it("the demo's lines logged by hand (no bridge fields): one-line paths and linked paths share no span id", async () => {
    const results = await everyPath(withDuplicates(mapLogs(demoLogs, (_c, t) => byHand(t))));
    expectLegacySplit(results);
  });

  it('a partial rollout (core bridged, orchestrator and worker by hand): bridged spans shared exactly, legacy ones never', async () => {
    const results = await everyPath(withDuplicates(mapLogs(demoLogs, (c, t) => (c === 'core' ? t : byHand(t)))));
    const shared = expectLegacySplit(results);
    expect(shared, 'the bridged core spans are on every path').toBeGreaterThan(0);
  });

  it('hand-written legacy lines (every fixture scenario, noise, duplicates): one-line paths and linked paths share no span id', async () => {
    const results = await everyPath(withDuplicates(handWrittenLogs()));
    expectLegacySplit(results);
  });
});

/**
 * Legacy spans from one-line paths are unlinked (marked, their own ids); those of linked paths
 * are not; an id both kinds give is a bridged span. Returns how many such shared ids there are.
 */
function expectLegacySplit(results: readonly PathSpans[]): number {
  const unlinked = new Set<string>();
  const linked = new Set<string>();
  for (const r of results)
    for (const [id, content] of contentOf(r)) {
      const attributes = attributesOf(content);
      if (attributes['alakai.legacy'] === undefined) continue;
      const marked = JSON.stringify(attributes['alakai.legacy.linked']) === JSON.stringify({ boolValue: false });
      expect(marked, `${r.path.name}: ${id}`).toBe(!r.path.linked);
      (r.path.linked ? linked : unlinked).add(id);
    }
  expect(unlinked.size).toBeGreaterThan(0);
  expect(linked.size).toBe(unlinked.size); // one legacy span per distinct event, on both sides
  expect([...unlinked].filter((id) => linked.has(id))).toEqual([]);
  // Each side agrees within itself: every one-line path gives the same ids, and so does every linked one.
  const one = results.filter((r) => !r.path.linked).map((r) => [...ids(r)].sort());
  const whole = results.filter((r) => r.path.linked).map((r) => [...ids(r)].sort());
  for (const x of one) expect(x).toEqual(one[0]);
  for (const x of whole) expect(x).toEqual(whole[0]);
  return one[0]!.filter((id) => whole[0]!.includes(id)).length;
}

/**
 * One id, one span (docs/mapping.md#one-id-one-span) where the user meets it: the real Jaeger.
 * Jaeger keeps a span received twice once only when both copies hash alike, so everything that
 * reaches it for the same lines — the demo's services exporting live through the SDK, `backfill`
 * of their logs, and, for the same lines logged by hand, `live` (unlinked spans) and `backfill`
 * (linked spans) — must leave each span id once in the trace.
 *
 * Every copy goes in before Jaeger is first asked for a trace: Jaeger 2.13's in-memory store hands
 * its stored spans to the query adjusters, which change them in place (see execution.test.ts).
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { describeRun, runCli } from './harness/cli.js';
import { jaegerTraceV1, waitForJaegerTrace } from './harness/jaeger.js';
import { loadPeersEnv, REPO_DIR } from './harness/peers-env.js';

const peers = loadPeersEnv();
const COMPONENTS = ['core', 'orchestrator', 'worker'] as const;
let work: string | undefined;
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** `alakai-otel live` with `input` on stdin; resolves with its exit code and stderr. */
function live(args: readonly string[], input: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_DIR, 'bin/alakai-otel.js'), 'live', ...args], {
      cwd: REPO_DIR,
      stdio: ['pipe', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
    child.stdin.end(input);
  });
}

/** A summary line as the service logs it by hand: the bridge fields taken out. */
function byHand(text: string): string {
  const line = JSON.parse(text) as Record<string, unknown>;
  if (typeof line.msg !== 'string' || !line.msg.startsWith('[event] ')) return text;
  delete line.span_id;
  delete line.parent_span_id;
  delete line.otel;
  return JSON.stringify(line);
}

describe('one id, one span in Jaeger', () => {
  test("the demo's live spans, their backfill, and the same lines by hand through live and backfill: each span id once", async () => {
    work = await mkdtemp(join(tmpdir(), 'alakai-one-id-e2e-'));
    const endpoint = `${peers.jaegerOtlpHttp}/v1/traces`;
    const out = join(work, 'demo');
    // A fresh seed: trace ids no earlier run left in this Jaeger.
    const seed = String(Date.now() % 1_000_000_007);
    const demoArgs = ['demo', '--out', out, '--executions', '3', '--seed', seed];
    const demo = await runCli(demoArgs, { OTEL_EXPORTER_OTLP_ENDPOINT: peers.jaegerOtlpHttp });
    expect(demo.code, describeRun(demoArgs, demo)).toBe(0);

    const logs = join(out, 'logs');
    const bridgedFiles = (await readdir(logs)).filter((f) => f.endsWith('.ndjson')).map((f) => join(logs, f));
    const handFiles: string[] = [];
    let handText = '';
    for (const c of COMPONENTS) {
      const lines = (await readFile(join(logs, `${c}.ndjson`), 'utf8')).split('\n').filter((l) => l !== '');
      const text = lines.map((l) => byHand(l) + '\n').join('');
      const file = join(work, `${c}.by-hand.ndjson`);
      await writeFile(file, text);
      handFiles.push(file);
      handText += text;
    }
    for (const inputs of [bridgedFiles, handFiles]) {
      const args = ['backfill', '--input', ...inputs, '--otlp-endpoint', endpoint];
      const result = await runCli(args, {});
      expect(result.code, describeRun(args, result)).toBe(0);
    }
    const unlinked = await live(['--otlp-endpoint', endpoint], handText);
    expect(unlinked.stderr).toBe('');
    expect(unlinked.code).toBe(0);

    // What each trace must hold: the live spans once, and each hand-logged slice twice (linked and
    // unlinked, under two ids).
    const liveSpans = (await readFile(join(out, 'spans.otlp.jsonl'), 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .flatMap((l) => {
        const request = JSON.parse(l) as { resourceSpans: { scopeSpans: { spans: { traceId: string }[] }[] }[] };
        return request.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
      });
    const slicesByTrace = new Map<string, number>();
    for (const line of handText.split('\n').filter((l) => l.includes('"[event] '))) {
      const traceHex = String((JSON.parse(line) as { trace_id: string }).trace_id).replaceAll('-', '');
      slicesByTrace.set(traceHex, (slicesByTrace.get(traceHex) ?? 0) + 1);
    }
    expect(slicesByTrace.size).toBe(3);
    for (const [traceHex, slices] of slicesByTrace) {
      const expected = liveSpans.filter((s) => s.traceId === traceHex).length + 2 * slices;
      const spans = await waitForJaegerTrace(peers.jaegerQueryUrl, traceHex, [], expected);
      const ids = spans.map((s) => s.spanId);
      expect(ids.length, `trace ${traceHex}: spans`).toBe(expected);
      expect(new Set(ids).size, `trace ${traceHex}: a span id twice`).toBe(ids.length);
      expect(spans.filter((s) => s.attributes['alakai.legacy.linked'] === false)).toHaveLength(slices);
      const v1 = await jaegerTraceV1(peers.jaegerQueryUrl, traceHex);
      expect(v1.length, `trace ${traceHex}: spans the UI shows`).toBe(expected);
    }
  });
});

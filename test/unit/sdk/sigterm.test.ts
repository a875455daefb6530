/**
 * SIGTERM/SIGINT with real child processes (test/fixtures/sdk/sigterm-service.mjs imports dist/,
 * which the unit suite's global setup builds: test/unit/harness/global-setup.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromOtlpRequest } from '../../../src/contract/otlp-json.js';

const FIXTURE = new URL('../../fixtures/sdk/sigterm-service.mjs', import.meta.url).pathname;

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts the fixture, waits for "ready" (≥ 50 slices logged), then sends the given signals. */
function runAndSignal(mode: string, signals: NodeJS.Signals[]): Promise<ChildResult> {
  dir = mkdtempSync(join(tmpdir(), 'alakai-sigterm-'));
  const child = spawn(process.execPath, [FIXTURE, mode, join(dir, 'spans.otlp.jsonl')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    const wasReady = stderr.includes('ready\n');
    stderr += d;
    if (!wasReady && stderr.includes('ready\n')) {
      // Further signals follow the first after a pause, so the first is being handled.
      signals.forEach((signal, i) => setTimeout(() => child.kill(signal), i * 300));
    }
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

function summaryLines(stdout: string): Record<string, unknown>[] {
  expect(stdout.endsWith('\n')).toBe(true); // no line cut in half
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function exportedSliceIds(): string[] {
  const file = join(dir, 'spans.otlp.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .flatMap((l) => fromOtlpRequest(JSON.parse(l)))
    .filter((s) => typeof s.attributes['alakai.event'] === 'string')
    .map((s) => s.spanId);
}

describe('shutdown on signals (child processes)', () => {
  it("SIGTERM mid-burst with the service's own handler: its handler runs after our flush, no summary line is lost, every slice is exported", async () => {
    const result = await runAndSignal('own-handler', ['SIGTERM']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stderr.split('\n').find((l) => l.startsWith('{'))!) as {
      started: number;
      stats: { slicesLogged: number; spansDropped: number };
    };
    const lines = summaryLines(result.stdout);
    expect(lines.length).toBeGreaterThanOrEqual(50);
    expect(lines).toHaveLength(report.started); // in-flight slices finished and logged too
    expect(report.stats.slicesLogged).toBe(report.started);
    expect(report.stats.spansDropped).toBe(0);
    expect(new Set(exportedSliceIds())).toEqual(new Set(lines.map((l) => l.span_id)));
  });

  it("SIGTERM with no handler of the service's own: flushes, then the process ends by the signal", async () => {
    const result = await runAndSignal('alone', ['SIGTERM']);
    expect(result.signal).toBe('SIGTERM');
    const lines = summaryLines(result.stdout);
    const logged = new Set(lines.map((l) => l.span_id));
    const exported = exportedSliceIds();
    expect(exported.length).toBeGreaterThanOrEqual(50);
    // Everything exported was logged. (Slices still ending while the process goes down are logged
    // but may miss the export; the own-handler test above covers draining them.)
    for (const id of exported) expect(logged.has(id)).toBe(true);
  });

  it('SIGINT is handled like SIGTERM', async () => {
    const result = await runAndSignal('alone', ['SIGINT']);
    expect(result.signal).toBe('SIGINT');
    expect(exportedSliceIds().length).toBeGreaterThanOrEqual(50);
  });

  it('a second signal during a flush that hangs exits at once with 128 + signal', async () => {
    const result = await runAndSignal('hang', ['SIGTERM', 'SIGTERM']);
    expect(result.code).toBe(143);
    expect(summaryLines(result.stdout).length).toBeGreaterThanOrEqual(50);
  });
});

/**
 * Launch the e2e apps (test/e2e/apps/*.mjs) as real Node processes instrumented only through
 * `node --import alakai-otel/register`, capture their stdout lines (the services' pino output,
 * summary events included) and stop them with SIGTERM as ECS would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { once } from 'node:events';
import { pollUntil } from './poll.js';
import { peersChildEnv, REPO_DIR, type PeersEnv } from './peers-env.js';

export type Component = 'core' | 'orchestrator' | 'worker';

export interface RunningApp {
  readonly component: Component;
  /** The `E2E <word> <detail>` announcement's detail (core: its port). */
  readonly announced: string;
  /** Every stdout line so far. */
  lines(): string[];
  /** Parsed summary events (`msg` starting with "[event] ") so far. */
  summaryEvents(): Array<Record<string, unknown>>;
  stderr(): string;
  stop(): Promise<void>;
}

const MAX_CAPTURE_BYTES = 8 * 1024 * 1024;

export function parseSummaryLines(lines: readonly string[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (
      parsed &&
      typeof parsed === 'object' &&
      typeof (parsed as { msg?: unknown }).msg === 'string' &&
      (parsed as { msg: string }).msg.startsWith('[event] ')
    ) {
      out.push(parsed as Record<string, unknown>);
    }
  }
  return out;
}

export interface AppOptions {
  component: Component;
  peers: PeersEnv;
  env: Record<string, string>;
}

export async function startApp({ component, peers, env }: AppOptions): Promise<RunningApp> {
  const script = join(REPO_DIR, 'test/e2e/apps', `${component}.mjs`);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'alakai-otel/register', script], {
    cwd: REPO_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...peersChildEnv(peers),
      ALAKAI_COMPONENT: component,
      OTEL_SERVICE_NAME: `alakai-${component}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: peers.collectorOtlpHttp,
      // Export within a fraction of a second instead of the BatchSpanProcessor's 5 s default.
      OTEL_BSP_SCHEDULE_DELAY: '200',
      ...env,
    },
  });
  let stdoutBuffer = '';
  let stderrText = '';
  const lines: string[] = [];
  let captured = 0;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    captured += chunk.length;
    if (captured > MAX_CAPTURE_BYTES) return;
    stdoutBuffer += chunk;
    let newline: number;
    while ((newline = stdoutBuffer.indexOf('\n')) >= 0) {
      lines.push(stdoutBuffer.slice(0, newline));
      stdoutBuffer = stdoutBuffer.slice(newline + 1);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderrText.length < 256 * 1024) stderrText += chunk;
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  const announced = await pollUntil(
    async () => {
      if (exited)
        throw new Error(
          `${component} exited during start-up (code ${child.exitCode}, signal ${child.signalCode}):\n${stderrText.slice(-2000)}`,
        );
      const match = /^E2E (?:READY|LISTENING)(?: (\S+))?$/m.exec(stderrText);
      return match ? (match[1] ?? '') : undefined;
    },
    { what: `${component} to start`, timeoutMs: 30_000, intervalMs: 100 },
  ).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${component} stderr:\n${stderrText.slice(-2000)}`);
  });

  return {
    component,
    announced,
    lines: () => [...lines],
    summaryEvents: () => parseSummaryLines(lines),
    stderr: () => stderrText,
    async stop() {
      if (exited) return;
      const exit = once(child, 'exit');
      child.kill('SIGTERM');
      // The register entry flushes on SIGTERM within its shutdown timeout (10 s by default).
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/**
 * Runs test/fixtures/reliability/burst-service.mjs as a real child process (it imports dist/,
 * which the unit suite's global setup builds: test/unit/harness/global-setup.ts) and collects what it wrote: summary lines on stdout,
 * diag messages and its report on stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export const BURST_FIXTURE = new URL('../../fixtures/reliability/burst-service.mjs', import.meta.url).pathname;

export interface BurstConfig {
  mode?: 'burst' | 'until-signal';
  url: string;
  slices?: number;
  /** After the burst: print BURST-DONE, wait for "go" on stdin, then run this many more (phase 2). */
  phase2Slices?: number;
  concurrency?: number;
  /** Start the 10,000 slices at this steady rate instead of as fast as they go. */
  ratePerSecond?: number;
  exporterTimeoutMs?: number;
  exportTimeoutMs?: number;
  shutdownTimeoutMs?: number;
  /** until-signal: the service has its own SIGTERM handler that drains and exits 0. */
  ownHandler?: boolean;
  readyAfter?: number;
}

export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface BurstReport {
  started: number;
  ended: number;
  loop?: LoopDelay;
  loopPhase2?: LoopDelay;
  memoryBefore?: { rssMb: number; heapUsedMb: number };
  memoryAfterBurst?: { rssMb: number; heapUsedMb: number };
  memoryAfterShutdown?: { rssMb: number; heapUsedMb: number };
  peakRssMb?: number;
  statsAfterBurst?: { slicesLogged: number; spansDropped: number; exportFailures: number };
  statsBeforePhase2?: { slicesLogged: number; spansDropped: number; exportFailures: number };
  stats: { slicesLogged: number; spansDropped: number; exportFailures: number };
  shutdownMs: number;
}

export interface BurstResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Summary event lines on stdout, parsed. */
  summaryLines: Record<string, unknown>[];
  /** stdout ended with a newline: no line was cut in half. */
  stdoutComplete: boolean;
  diag: string[];
  report?: BurstReport;
  stderr: string;
  /** ms from the first signal sent to the child's exit (signal runs only). */
  exitAfterSignalMs?: number;
}

export interface BurstHooks {
  /** Called for each stderr line (READY, BURST-DONE, ...) with the child to signal or write to. */
  onLine?(line: string, child: ChildProcess): void;
}

export function runBurstChild(config: BurstConfig, hooks: BurstHooks = {}): Promise<BurstResult> {
  const child = spawn(process.execPath, ['--expose-gc', BURST_FIXTURE], {
    env: { ...process.env, BURST_CONFIG: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  let firstSignalAt: number | undefined;
  const kill = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number) => {
    firstSignalAt ??= Date.now();
    return kill(signal);
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      hooks.onLine?.(line, child);
    }
  });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      const exitedAt = Date.now();
      // Let the pipes drain before reading what the child wrote.
      child.on('close', () => {
        const lines = stdout.split('\n').filter((l) => l !== '');
        const summaryLines = lines
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .filter((l) => typeof l.msg === 'string' && l.msg.startsWith('[event] '));
        const stderrLines = stderr.split('\n');
        const reportLine = stderrLines.find((l) => l.startsWith('REPORT '));
        const result: BurstResult = {
          code,
          signal,
          summaryLines,
          stdoutComplete: stdout === '' || stdout.endsWith('\n'),
          diag: stderrLines.filter((l) => l.startsWith('DIAG ')),
          stderr,
        };
        if (reportLine) result.report = JSON.parse(reportLine.slice('REPORT '.length)) as BurstReport;
        if (firstSignalAt !== undefined) result.exitAfterSignalMs = exitedAt - firstSignalAt;
        resolve(result);
      });
    });
  });
}

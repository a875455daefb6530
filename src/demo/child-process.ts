/**
 * Runs one component as its own Node process, the way ECS runs each service: its stdout (the
 * service's pino output) goes byte for byte into the component's log file, its stderr is passed on
 * with a prefix, and its stdin / fd 3 carry the hand-overs the parent relays. Every child started here is tracked so that an error or Ctrl-C in the parent
 * never leaves one behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';

const live = new Set<ChildProcess>();

/** Grace between SIGTERM (the component flushes its spans and logs) and SIGKILL. */
const KILL_GRACE_MS = 5_000;

export interface ChildRun {
  entry: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** File that receives the child's stdout. */
  stdoutFile: string;
  /** Prefix for the child's stderr lines on the parent's stderr. */
  label: string;
}

function prefixLines(label: string): (chunk: Buffer) => void {
  let partial = '';
  return (chunk) => {
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) process.stderr.write(`[${label}] ${line}\n`);
  };
}

export interface StartedChild {
  /** The child's stdin: hand-overs relayed to it, one NDJSON line each; end() means "no more". */
  stdin: Writable;
  /** The child's fd 3: hand-overs it sends downstream, one NDJSON line each. */
  handoffs: Readable;
  /** The child's exit code once it has exited and its log file is complete (signals: 128 + n). */
  exited: Promise<number>;
}

/**
 * Starts the child with stdin and fd 3 as pipes (the parent relays hand-overs between children the
 * way a queue would), stdout to its log file, stderr passed on with a prefix.
 */
export async function startChild(run: ChildRun): Promise<StartedChild> {
  const out = createWriteStream(run.stdoutFile, { flags: 'a' });
  await once(out, 'open');
  const child = spawn(process.execPath, [run.entry, ...run.args], {
    env: run.env,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.stdout.pipe(out);
  child.stderr.on('data', prefixLines(run.label));
  // A child that exits before reading all of its input must not crash the parent with EPIPE.
  child.stdin.on('error', () => {});
  const exited = (async () => {
    try {
      const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
      return code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGINT' ? 130 : 143);
    } finally {
      live.delete(child);
      // The pipe ends `out` itself when the child's stdout ends; `finished` also covers "already closed".
      out.end();
      await finished(out).catch(() => undefined);
    }
  })();
  return { stdin: child.stdin, handoffs: child.stdio[3] as Readable, exited };
}

/** Stops every child still running: SIGTERM first so it can flush, SIGKILL after a grace period. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all(
    [...live].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const closed = once(child, 'close');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      timer.unref();
      await closed.catch(() => undefined);
      clearTimeout(timer);
    }),
  );
}

/** Synchronous last resort for process 'exit': no waiting possible there. */
export function killAllChildrenNow(): void {
  for (const child of live) child.kill('SIGKILL');
}

/**
 * The one slice every slice-overhead scenario runs: a worker's `slack.implementation` slice with four
 * steps and the domain fields the guide's queries read (repo, task, agent, pull_request, slack).
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import pino, { type Logger } from 'pino';

export const SERVICE = 'alakai-worker-implementation';
export const COMPONENT = 'worker';
export const EVENT = 'slack.implementation';
export const STEPS = ['read_payload', 'clone_repo', 'run_agent', 'open_pull_request'] as const;

export const DOMAIN = {
  repo: { full_name: 'acme/web', base_ref: 'main' },
  task: { task_id: 'tsk_5f1c2a9e77d0', task_type: 'implementation', source: 'slack_implement' },
  agent: { provider: 'anthropic', model: 'claude-sonnet-4-5' },
  pull_request: { url: 'https://github.com/acme/web/pull/4821', number: 4821 },
  slack: { user_id: 'U04ABCDEF12', channel_id: 'C07XYZ98765' },
};

/** Trace ids cycle through a fixed pool so id generation costs the same in every scenario. */
const TRACE_IDS = Array.from({ length: 1024 }, () => randomUUID());
let traceIdIndex = 0;
export function nextTraceId(): string {
  traceIdIndex = (traceIdIndex + 1) & 1023;
  return TRACE_IDS[traceIdIndex]!;
}

/**
 * The shared non-blocking sink: pino's own asynchronous destination (sonic-boom) on /dev/null, so
 * every scenario pays the same serialization and write path a service pays, minus the disk.
 * `drain()` waits until everything buffered has been handed to the OS, so an iteration's cost
 * includes its deferred writes.
 */
export interface LogSink {
  stream: pino.DestinationStream;
  drain(): Promise<void>;
  /** Bytes that went through the sink (to check a scenario really logs what it claims). */
  bytes(): number;
  /** The last line written (to check what a scenario writes). */
  lastLine(): string;
  close(): Promise<void>;
}

export async function devNullSink(): Promise<LogSink> {
  const dest = pino.destination({ dest: '/dev/null', sync: false, minLength: 0 });
  // The file opens asynchronously; until 'ready', sonic-boom reports itself as writing.
  await once(dest, 'ready');
  let bytes = 0;
  let last = '';
  // Count bytes without changing the write path: wrap write once.
  const write = dest.write.bind(dest);
  dest.write = (chunk: string): boolean => {
    bytes += chunk.length;
    last = chunk;
    return write(chunk);
  };
  return {
    stream: dest,
    // sonic-boom emits 'drain' when its in-flight write finished and nothing is left buffered;
    // `flush(cb)` would not wait with minLength 0 (the default we keep, to not change the write path).
    drain: () =>
      new Promise<void>((resolve) => {
        if ((dest as unknown as { _writing: boolean })._writing) dest.once('drain', () => resolve());
        else resolve();
      }),
    bytes: () => bytes,
    lastLine: () => last.trimEnd(),
    close: () =>
      new Promise<void>((resolve) => {
        dest.once('close', () => resolve());
        dest.end();
      }),
  };
}

/** The service's logger, configured as the guide's lines show (ISO time, service and component). */
export function serviceLogger(stream: pino.DestinationStream): Logger {
  return pino(
    {
      base: { service: SERVICE, component: COMPONENT },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}

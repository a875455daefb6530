/**
 * The consumer app the global setup installed, and a way to run a scenario in it as a child
 * process: the script is written into the app (so `import 'alakai-otel'` and `require('pino')`
 * resolve from the app's node_modules), and runs with a clean environment plus what the test sets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inject } from 'vitest';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Node flags before the script, e.g. ['--import', 'alakai-otel/register']. */
  nodeArgs?: string[];
  args?: string[];
  stdin?: string;
  /** The run is killed (and the test fails on its result) after this long; default 60 s. */
  timeoutMs?: number;
  /** Another node binary (e.g. an older Node for the CommonJS check). */
  node?: string;
}

export interface ConsumerApp {
  readonly dir: string;
  /** The `npm install` output of the tarball. */
  readonly installLog: string;
  /** Writes `relPath` (relative to the app) and returns its absolute path. */
  write(relPath: string, text: string): string;
  run(script: string, options?: RunOptions): Promise<RunResult>;
  /** A long-running child (stdout/stderr collected as they come). */
  start(
    script: string,
    options?: RunOptions,
  ): { child: ChildProcess; output: { stdout: string; stderr: string }; done: Promise<RunResult> };
  /** Runs the installed `alakai-otel` command (node_modules/.bin) as a user would. */
  cli(args: string[], options?: Omit<RunOptions, 'args'>): Promise<RunResult>;
}

/** The environment a scenario starts from: enough to run node, nothing from the test runner. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

function childEnv(extra: Record<string, string | undefined> | undefined): Record<string, string> {
  const env = baseEnv();
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function consumerApp(): ConsumerApp {
  const root = inject('consumerRoot');
  const dir = join(root, 'app');

  const start: ConsumerApp['start'] = (script, options = {}) => {
    const child = spawn(
      options.node ?? process.execPath,
      [...(options.nodeArgs ?? []), script, ...(options.args ?? [])],
      {
        cwd: dir,
        env: childEnv(options.env),
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const output = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output.stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output.stderr += c));
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    const done = new Promise<RunResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, ...output });
      });
    });
    return { child, output, done };
  };

  return {
    dir,
    installLog: readFileSync(join(root, 'install.log'), 'utf8'),
    write(relPath, text) {
      const path = join(dir, relPath);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    run: (script, options) => start(script, options).done,
    start,
    cli: (args, options = {}) =>
      start(join(dir, 'node_modules/alakai-otel/bin/alakai-otel.js'), { ...options, args }).done,
  };
}

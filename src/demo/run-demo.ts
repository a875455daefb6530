/**
 * The demo's parent process: makes the output folder, then runs core, orchestrator and worker as
 * three separate Node processes at once, relaying the hand-overs between them (unless real SQS /
 * Redis carry them) and capturing each one's stdout as its log file. It never instruments anything itself: all
 * spans and summary lines come from the components.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { Component } from '../contract/summary-event.js';
import { startChild, type StartedChild } from './child-process.js';
import { planExecutions, type DemoExecution } from './scenarios.js';
import { demoLayout, type DemoLayout } from './layout.js';

export interface DemoOptions {
  outDir: string;
  executions: number;
  seed: number;
}

export class DemoFailure extends Error {
  override name = 'DemoFailure';
}

/** The compiled child entry sits next to this file in dist/demo/. */
const COMPONENT_ENTRY = fileURLToPath(new URL('./component-main.js', import.meta.url));

/** Variables that would make the three components look like one service, or switch the SDK off. */
const ENV_NOT_PASSED_ON = ['OTEL_SERVICE_NAME', 'OTEL_SDK_DISABLED'];

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ENV_NOT_PASSED_ON) delete env[key];
  return env;
}

function componentsWithWork(plan: readonly DemoExecution[]): Component[] {
  const out: Component[] = ['core'];
  if (plan.some((e) => e.orchestrator.length > 0)) out.push('orchestrator');
  if (plan.some((e) => e.worker)) out.push('worker');
  return out;
}

/**
 * Relays one child's hand-overs (its fd 3) to the next child's stdin, like a queue between two
 * services, and records each one in the spool file (created on the first line, so a run whose
 * hand-over went through real SQS or Redis has none). Ends the next child's input when the sender
 * is done.
 */
async function relay(from: StartedChild, to: StartedChild | undefined, spoolFile: string | undefined): Promise<void> {
  let spool: WriteStream | undefined;
  for await (const line of createInterface({ input: from.handoffs, crlfDelay: Infinity })) {
    if (line.trim() === '' || spoolFile === undefined) continue; // the last service hands nothing on
    spool ??= createWriteStream(spoolFile, { flags: 'a' });
    spool.write(line + '\n');
    to?.stdin.write(line + '\n');
  }
  to?.stdin.end();
  if (spool) {
    spool.end();
    await finished(spool);
  }
}

/** Concatenates whole lines of the components' span files, core first. */
async function mergeSpanFiles(inputs: readonly string[], output: string): Promise<void> {
  const parts: string[] = [];
  for (const input of inputs) {
    const text = await readFile(input, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return ''; // a component that exported nothing
      throw err;
    });
    if (text !== '') parts.push(text.endsWith('\n') ? text : text + '\n');
  }
  await writeFile(output, parts.join(''));
}

/** Runs the three components to completion; resolves to where they wrote their output. */
export async function runDemo(options: DemoOptions): Promise<DemoLayout> {
  const layout = demoLayout(options.outDir);
  await mkdir(layout.logsDir, { recursive: true });
  await mkdir(layout.handoffDir, { recursive: true });
  await mkdir(dirname(layout.componentSpansFiles.core), { recursive: true });
  const plan = planExecutions(options.seed, options.executions);
  // Tags this run's messages, so a shared real queue or Redis list never mixes two runs.
  const runId = randomBytes(6).toString('hex');
  const env = childEnv();
  const components = componentsWithWork(plan);
  // All three start at once, as services do: each waits for its hand-overs, so process start-up
  // overlaps and the orchestrator picks up a message as soon as core sends it.
  const children: StartedChild[] = [];
  for (const component of components) {
    children.push(
      await startChild({
        entry: COMPONENT_ENTRY,
        args: [
          component,
          '--out',
          options.outDir,
          '--seed',
          String(options.seed),
          '--executions',
          String(options.executions),
          '--run-id',
          runId,
        ],
        env,
        stdoutFile: layout.logFiles[component],
        label: component,
      }),
    );
  }
  children[0]!.stdin.end(); // core's input is the plan itself
  const spools = [layout.sqsSpool, layout.redisSpool];
  const relays = children.map((child, i) => relay(child, children[i + 1], spools[i]));
  await Promise.all(
    children.map(async (child, i) => {
      const code = await child.exited;
      const component = components[i]!;
      if (code !== 0)
        throw new DemoFailure(`${component} exited with code ${code} (its log: ${layout.logFiles[component]})`);
    }),
  );
  await Promise.all(relays);
  await mergeSpanFiles(
    components.map((c) => layout.componentSpansFiles[c]),
    layout.spansFile,
  );
  return layout;
}

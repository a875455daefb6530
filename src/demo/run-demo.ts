/**
 * The demo's parent process: makes the output folder, then runs core, orchestrator and worker as
 * three separate Node processes, one after the other (each drains what the previous one handed
 * over), capturing each one's stdout as its log file. It never instruments anything itself: all
 * spans and summary lines come from the components.
 */
import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Component } from '../contract/summary-event.js';
import { runChild } from './child-process.js';
import { planExecutions, type DemoExecution } from './scenarios.js';
import { demoLayout, type DemoLayout } from './layout.js';

export interface DemoOptions {
  outDir: string;
  executions: number;
  seed: number;
}

export interface DemoRun extends DemoLayout {
  plan: DemoExecution[];
  runId: string;
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

export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const layout = demoLayout(options.outDir);
  await mkdir(layout.logsDir, { recursive: true });
  await mkdir(layout.handoffDir, { recursive: true });
  const plan = planExecutions(options.seed, options.executions);
  // Tags this run's messages, so a shared real queue or Redis list never mixes two runs.
  const runId = randomBytes(6).toString('hex');
  const env = childEnv();
  for (const component of componentsWithWork(plan)) {
    const code = await runChild({
      entry: COMPONENT_ENTRY,
      args: [component, '--out', options.outDir, '--seed', String(options.seed), '--executions', String(options.executions), '--run-id', runId],
      env,
      stdoutFile: layout.logFiles[component],
      label: component,
    });
    if (code !== 0) throw new DemoFailure(`${component} exited with code ${code} (its log: ${layout.logFiles[component]})`);
  }
  return { ...layout, plan, runId };
}


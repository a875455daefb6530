/**
 * `alakai-otel demo [--out DIR] [--executions N] [--seed S]`: runs example executions through
 * core → orchestrator → worker as three Node processes and shows what the bridge makes of them.
 * docs/demo.md walks through the output.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { flag, hasFlag, intFlag, parseArgs, UsageError } from './args.js';
import { DEFAULT_EXECUTIONS, DEFAULT_SEED, MAX_EXECUTIONS } from '../demo/scenarios.js';
import { DemoFailure, runDemo } from '../demo/run-demo.js';
import { killAllChildrenNow, stopAllChildren } from '../demo/child-process.js';
import { readSpans, readSummaryRows, renderExecutions, renderNextSteps } from './demo-report.js';
import { describeTransports } from '../demo/transport-config.js';

const HELP = `usage: alakai-otel demo [--out DIR] [--executions N] [--seed S]

Runs example Alakai executions through core → orchestrator → worker, three separate Node
processes instrumented with the alakai-otel SDK, and prints each execution as a waterfall.

  --out DIR         folder to write to; must be new or empty (default: ./alakai-demo-<time>)
  --executions N    how many executions, 1-${MAX_EXECUTIONS} (default ${DEFAULT_EXECUTIONS}: the whole outcome mix)
  --seed S          seed of the executions, outcomes and field values (default ${DEFAULT_SEED})
  --help            this text

Writes DIR/logs/<component>.ndjson (each service's log lines), DIR/spans.otlp.jsonl (OTLP/JSON)
and DIR/handoff/ (the SQS messages and Redis payloads handed over).

Environment:
  OTEL_EXPORTER_OTLP_ENDPOINT   also export the spans over OTLP/HTTP (e.g. http://localhost:4318)
  ALAKAI_DEMO_SQS_QUEUE_URL     hand over core → orchestrator through this SQS queue
                                (endpoint and credentials from the usual AWS_* variables)
  ALAKAI_DEMO_REDIS_URL         hand over orchestrator → worker through this Redis server
`;

const FLAGS = { out: { value: true }, executions: { value: true }, seed: { value: true }, help: {} } as const;

function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

async function isMissingOrEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'ENOTDIR') return false;
    throw err;
  }
}

/** A fresh folder: the demo appends to its files, so reusing one would mix two runs. */
async function chooseOutDir(requested: string | undefined): Promise<string> {
  if (requested !== undefined) {
    const dir = resolve(requested);
    if (!(await isMissingOrEmpty(dir)))
      throw new UsageError(`--out ${requested.slice(0, 80)} is not empty; give a new or empty folder`);
    return dir;
  }
  const base = resolve(`alakai-demo-${timestamp(new Date())}`);
  for (let i = 0; ; i++) {
    const dir = i === 0 ? base : `${base}-${i}`;
    if (await isMissingOrEmpty(dir)) return dir;
  }
}

function parseSeed(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SEED;
  const n = Number(text);
  if (!/^\d{1,10}$/.test(text) || n > 0xffffffff)
    throw new UsageError('--seed must be a whole number from 0 to 4294967295');
  return n;
}

export async function demoCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (hasFlag(args, 'help')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]!.slice(0, 40)}"`);
  const executions = intFlag(args, 'executions', DEFAULT_EXECUTIONS, 1, MAX_EXECUTIONS);
  const seed = parseSeed(flag(args, 'seed'));
  const outDir = await chooseOutDir(flag(args, 'out'));
  await mkdir(outDir, { recursive: true });

  // Ctrl-C or a kill: stop the components (they flush what they have) and leave no process behind.
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    void stopAllChildren();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllChildrenNow);
  try {
    process.stdout.write(`alakai-otel demo: ${executions} executions, seed ${seed}, writing to ${outDir}\n\n`);
    const layout = await runDemo({ outDir, executions, seed });
    const [rows, spans] = await Promise.all([readSummaryRows(layout), readSpans(layout.spansFile)]);
    const width = process.stdout.columns ? Math.min(process.stdout.columns, 140) : 110;
    process.stdout.write(renderExecutions(rows, spans, { width, color: Boolean(process.stdout.isTTY) }) + '\n\n');
    const endpoint = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
    process.stdout.write(
      renderNextSteps(layout, {
        executions,
        spans: spans.length,
        transports: describeTransports(layout),
        ...(endpoint ? { otlpEndpoint: endpoint } : {}),
      }) + '\n',
    );
    return 0;
  } catch (err) {
    if (interrupted) {
      process.stderr.write(`alakai-otel demo: interrupted; partial output in ${outDir}\n`);
      return 130;
    }
    if (err instanceof DemoFailure) {
      process.stderr.write(`alakai-otel demo: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await stopAllChildren();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', killAllChildrenNow);
  }
}

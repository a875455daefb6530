/**
 * Entry of one demo component process: `node dist/demo/component-main.js <component> --out DIR
 * --seed S --executions N --run-id R`. Sets up the SDK the way a service would at startup, does its
 * part of the plan, then shuts the SDK down so every span is exported and every line written.
 * Its stdout is the service's log (the parent captures it); anything on stderr is a problem report.
 */
import { parseArgs } from 'node:util';
import { defaultServiceName } from '../contract/resource.js';
import { COMPONENTS, type Component } from '../contract/summary-event.js';
import { OtlpJsonFileExporter } from '../sdk/otlp-file-exporter.js';
import { setupAlakaiTracing } from '../sdk/setup.js';
import { COMPONENT_RUNNERS } from './components.js';
import { demoLayout } from './layout.js';
import { planExecutions } from './scenarios.js';
import { openRedis, openSqs } from './transport-config.js';
import { NO_PAYLOAD_CHANNEL, NO_SQS_CHANNEL } from './transport.js';

const UNUSED_SQS = { channel: NO_SQS_CHANNEL, name: '' };
const UNUSED_REDIS = { channel: NO_PAYLOAD_CHANNEL, name: '' };

/** True when the environment asks for live OTLP/HTTP export (the SDK's default exporter reads it). */
function otlpEndpointConfigured(): boolean {
  return Boolean(
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim(),
  );
}

async function main(argv: string[]): Promise<number> {
  // The parent (run-demo.ts) writes these arguments; node's own parser is enough, and the demo
  // stays below the CLI.
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      seed: { type: 'string', default: '0' },
      executions: { type: 'string', default: '1' },
      'run-id': { type: 'string' },
    },
  });
  const component = positionals[0] as Component;
  const outDir = values.out;
  const runId = values['run-id'];
  const seed = Number(values.seed);
  const executions = Number(values.executions);
  const valid =
    Number.isSafeInteger(seed) &&
    seed >= 0 &&
    seed <= 0xffffffff &&
    Number.isSafeInteger(executions) &&
    executions >= 1 &&
    executions <= 10_000;
  if (!COMPONENTS.includes(component) || !outDir || !runId || !valid) {
    process.stderr.write(
      'usage: component-main.js <core|orchestrator|worker> --out DIR --seed S --executions N --run-id R\n',
    );
    return 2;
  }
  const layout = demoLayout(outDir);
  const plan = planExecutions(seed, executions);

  // The one demo-specific choice: the spans file always, and the SDK's default OTLP/HTTP exporter
  // beside it only when an endpoint is configured (unset, it would send to localhost:4318, where
  // usually nothing listens).
  const spansFile = new OtlpJsonFileExporter(layout.componentSpansFiles[component]);
  const tracing = setupAlakaiTracing({
    service: defaultServiceName(component),
    component,
    ...(otlpEndpointConfigured() ? { extraExporters: [spansFile] } : { exporter: spansFile }),
  });
  const stop = (): void => {
    // The parent stops us on Ctrl-C or an error: flush what we have, then go.
    void tracing.shutdown().finally(() => process.exit(143));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  // Each service opens only the hand-overs it uses (the worker never touches SQS, core never Redis).
  const sqs = component === 'worker' ? UNUSED_SQS : await openSqs();
  const redis = component === 'core' ? UNUSED_REDIS : await openRedis(runId);
  try {
    await COMPONENT_RUNNERS[component]({
      tracing,
      plan,
      runId,
      sqs: sqs.channel,
      redis: redis.channel,
      queueName: sqs.name,
      listKey: redis.name,
    });
    return 0;
  } catch (err) {
    // The parent prefixes this process's stderr with its name.
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await Promise.allSettled([sqs.channel.close(), redis.channel.close()]);
    await tracing.shutdown();
  }
}

const code = await main(process.argv.slice(2));
// On failure, go now: an unread stdin must not keep a failed service alive. (Logs and spans were
// flushed by shutdown() above; on success the process ends by itself.)
if (code !== 0) process.exit(code);

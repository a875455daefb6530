/**
 * Runs one slice scenario in a loop, for `node --cpu-prof`:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/.build/bench/slice/profile-slice.js c [slices]
 * (scenario a, b or c; default 50,000 slices). Prints µs per slice.
 */
import { context } from '@opentelemetry/api';
// The baselines use the same AsyncLocalStorage context manager the bridge installs, so (a), (b)
// and (c) pay the same context-propagation cost.
import { AsyncLocalStorageContextManager } from '../../src/sdk/context-manager.js';
import { bridgeScenario } from './bridge-scenario.js';
import { devNullSink } from './fixture.js';
import { handWrittenLineScenario, otelOnlyScenario } from './plain-otel-scenarios.js';

const which = process.argv[2] ?? 'c';
const slices = Number(process.argv[3] ?? 50_000);
const sink = await devNullSink();
const scenario =
  which === 'c'
    ? bridgeScenario(sink)
    : (context.setGlobalContextManager(new AsyncLocalStorageContextManager()),
      which === 'b' ? handWrittenLineScenario(sink) : otelOnlyScenario(sink));
const t0 = process.hrtime.bigint();
for (let i = 0; i < slices; i++) {
  await scenario.runSlice();
  if (i % 100 === 99) await scenario.settle();
}
await scenario.settle();
process.stdout.write(
  `${scenario.name}: ${(Number(process.hrtime.bigint() - t0) / 1000 / slices).toFixed(1)} µs/slice\n`,
);
await scenario.shutdown();
await sink.close();

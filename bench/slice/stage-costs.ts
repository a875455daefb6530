/**
 * Where (c)'s extra time goes, in situ: scenario (c) run with the summary processor's slice end
 * cut short at each stage, each paired with (a) in alternating samples like the main harness.
 *   node bench/.build/bench/slice/stage-costs.js [samples]
 * A diagnostic for the slice-overhead target (docs/benchmarks.md), not a benchmark with a target.
 * It replaces a private method of SummaryEventProcessor, so it breaks loudly if that method goes.
 */
import { context } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { sliceToSummaryEvent } from '../../src/contract/spans-to-event.js';
import type { SpanRecord } from '../../src/contract/span-record.js';
import { AsyncLocalStorageContextManager } from '../../src/sdk/context-manager.js';
import { toSpanRecord } from '../../src/sdk/readable-span.js';
import { SummaryEventProcessor } from '../../src/sdk/summary-processor.js';
import { writeSummaryLine } from '../../src/sdk/summary-line.js';
import type { Logger } from 'pino';
import { median } from '../lib/stats.js';
import { bridgeScenario, captureSlice } from './bridge-scenario.js';
import { devNullSink } from './fixture.js';
import { otelOnlyScenario } from './plain-otel-scenarios.js';
import { BATCH, sample } from './slice-overhead.js';

/** The processor's private state this diagnostic reaches into. */
interface ProcessorInternals {
  liveSlices: Map<string, SpanRecord[]>;
  logger: Logger;
  endSlice(span: ReadableSpan, spanId: string): void;
}

const samples = Number(process.argv[2] ?? 300);
const sink = await devNullSink();
const { slice, steps } = await captureSlice(sink);
const readyEvent = sliceToSummaryEvent(toSpanRecord(slice), steps.map(toSpanRecord));

const proto = SummaryEventProcessor.prototype as unknown as ProcessorInternals;
const fullEndSlice = proto.endSlice;
if (typeof fullEndSlice !== 'function')
  throw new Error('SummaryEventProcessor has no endSlice: update this diagnostic');
const stages: [string, ProcessorInternals['endSlice']][] = [
  [
    'no line (slice and step tracking only)',
    function (this: ProcessorInternals, _span, id) {
      this.liveSlices.delete(id);
    },
  ],
  [
    'build the event, write nothing',
    function (this: ProcessorInternals, span, id) {
      const descendants = this.liveSlices.get(id) ?? [];
      this.liveSlices.delete(id);
      sliceToSummaryEvent(toSpanRecord(span), descendants);
    },
  ],
  [
    'write a ready-made event, build nothing',
    function (this: ProcessorInternals, _span, id) {
      this.liveSlices.delete(id);
      writeSummaryLine(this.logger, readyEvent);
    },
  ],
  ['full (what (c) is)', fullEndSlice],
];

const bridge = bridgeScenario(sink);
context.setGlobalContextManager(new AsyncLocalStorageContextManager());
const plain = otelOnlyScenario(sink);
process.stdout.write(
  `(c) − (a) per stage, µs per slice: paired wall medians / CPU means, ${samples} samples of ${BATCH}\n`,
);
for (const [name, endSlice] of stages) {
  proto.endSlice = endSlice;
  for (let i = 0; i < 30; i++) await sample(i % 2 ? plain : bridge);
  const wall: number[] = [];
  let cpu = 0;
  for (let k = 0; k < samples; k++) {
    const [first, second] = k % 2 ? [plain, bridge] : [bridge, plain];
    const x = await sample(first);
    const y = await sample(second);
    const [a, c] = first === plain ? [x, y] : [y, x];
    wall.push(c.wall - a.wall);
    cpu += c.cpu - a.cpu;
  }
  process.stdout.write(
    `${name.padEnd(42)} ${median(wall).toFixed(1).padStart(6)} wall  ${(cpu / samples).toFixed(1).padStart(6)} CPU\n`,
  );
}
proto.endSlice = fullEndSlice;
await bridge.shutdown();
await plain.shutdown();
await sink.close();

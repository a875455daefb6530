/**
 * Scenario (c): what a service owner runs — `setupAlakaiTracing` (summary processor, bounded batch
 * export path, Alakai id generator, record-all sampler) and `runSlice` with the same four steps and
 * domain fields; the SummaryEventProcessor writes the line. Same no-op exporter and same log sink
 * as (a) and (b), and the service's logger configured as the SDK's default one is.
 */
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { sliceToSummaryEvent } from '../../src/contract/spans-to-event.js';
import { setupAlakaiTracing } from '../../src/sdk/setup.js';
import { toSpanRecord } from '../../src/sdk/readable-span.js';
import { COMPONENT, DOMAIN, EVENT, SERVICE, STEPS, nextTraceId, serviceLogger, type LogSink } from './fixture.js';
import { NoopExporter } from './plain-otel-scenarios.js';
import type { SliceScenario } from './scenario.js';

/** A step's body, as in (a) and (b). */
async function stepWork(): Promise<void> {}

export function bridgeScenario(sink: LogSink): SliceScenario {
  const exporter = new NoopExporter();
  const tracing = setupAlakaiTracing({
    service: SERVICE,
    component: COMPONENT,
    logger: serviceLogger(sink.stream),
    exporter,
    handleSignals: false,
  });
  const sliceOptions = { event: EVENT, kind: SpanKind.CONSUMER, steps: [...STEPS], fields: DOMAIN };
  return {
    name: '(c) bridge: setup + runSlice',
    runSlice: () =>
      tracing.runSlice({ ...sliceOptions, traceId: nextTraceId() }, async (slice) => {
        for (const name of STEPS) await slice.step(name, stepWork);
        slice.finish('success', 'completed');
      }),
    async settle() {
      await tracing.provider.forceFlush();
      await sink.drain();
    },
    exportedSpans: () => exporter.spans,
    shutdown: () => tracing.shutdown(),
  };
}

/** One real slice's five spans (slice + four steps), as the summary processor sees them. */
export async function captureSlice(sink: LogSink): Promise<{ slice: ReadableSpan; steps: ReadableSpan[] }> {
  const exporter = new InMemorySpanExporter();
  const tracing = setupAlakaiTracing({
    service: SERVICE,
    component: COMPONENT,
    logger: serviceLogger(sink.stream),
    exporter,
    handleSignals: false,
  });
  await tracing.runSlice(
    { event: EVENT, kind: SpanKind.CONSUMER, steps: [...STEPS], fields: DOMAIN, traceId: nextTraceId() },
    async (slice) => {
      for (const name of STEPS) await slice.step(name, async () => {});
      slice.finish('success', 'completed');
    },
  );
  await tracing.provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await tracing.shutdown();
  const slice = spans.find((s) => s.attributes['alakai.event'] === EVENT)!;
  return { slice, steps: spans.filter((s) => s !== slice) };
}

/** The `otel` text of one real slice's line, for (b′) to write by hand. */
export async function bridgeOtelText(sink: LogSink): Promise<string> {
  const { slice, steps } = await captureSlice(sink);
  return sliceToSummaryEvent(toSpanRecord(slice), steps.map(toSpanRecord)).otel ?? '';
}

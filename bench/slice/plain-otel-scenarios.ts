/**
 * Scenarios (a) and (b) of the slice-overhead benchmark: the same 4-step slice through the plain
 * OTel SDK (BasicTracerProvider, BatchSpanProcessor, an in-process no-op exporter), (a) without and
 * (b) with today's hand-written summary line (`logger.info(summaryObject, msg)`). (b′), not part
 * of the issue's target, writes by hand a line as large as the bridge's: (b)'s fields plus the
 * slice's `span_id` and a ready-made `otel` text, so the cost of the bridge's line format can be
 * told apart from the cost of the code that builds it.
 */
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import { COMPONENT, DOMAIN, EVENT, SERVICE, STEPS, nextTraceId, serviceLogger, type LogSink } from './fixture.js';
import type { SliceScenario } from './scenario.js';

/** Accepts every batch at once: the cost measured is the SDK's, not a network's. */
export class NoopExporter implements SpanExporter {
  spans = 0;
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.spans += spans.length;
    resultCallback({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

/** The slice's domain fields as span attributes, as an instrumented service would set them. */
const DOMAIN_ATTRIBUTES = {
  'alakai.component': COMPONENT,
  'alakai.event': EVENT,
  'alakai.repo.full_name': DOMAIN.repo.full_name,
  'alakai.repo.base_ref': DOMAIN.repo.base_ref,
  'alakai.task.task_id': DOMAIN.task.task_id,
  'alakai.task.task_type': DOMAIN.task.task_type,
  'alakai.task.source': DOMAIN.task.source,
  'alakai.agent.provider': DOMAIN.agent.provider,
  'alakai.agent.model': DOMAIN.agent.model,
  'alakai.pull_request.url': DOMAIN.pull_request.url,
  'alakai.pull_request.number': DOMAIN.pull_request.number,
  'alakai.slack.user_id': DOMAIN.slack.user_id,
  'alakai.slack.channel_id': DOMAIN.slack.channel_id,
};

/** A step's body: real services await I/O here; the bench awaits nothing but keeps the shape. */
async function stepWork(): Promise<void> {}

function plainProvider(exporter: SpanExporter): BasicTracerProvider {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE, 'service.namespace': 'alakai' }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
}

async function runPlainSlice(tracer: Tracer, logger: Logger | undefined, otelText?: string): Promise<void> {
  const traceId = nextTraceId();
  const started = Date.now();
  await tracer.startActiveSpan(EVENT, { kind: SpanKind.CONSUMER, attributes: DOMAIN_ATTRIBUTES }, async (slice) => {
    slice.setAttribute('alakai.trace_id', traceId);
    const steps: Record<string, string> = {};
    for (const name of STEPS) {
      await tracer.startActiveSpan(name, { attributes: { 'alakai.step': name } }, async (step) => {
        await stepWork();
        step.setStatus({ code: SpanStatusCode.OK });
        step.end();
      });
      steps[name] = 'ok';
    }
    slice.setAttributes({ 'alakai.outcome': 'success', 'alakai.final_status': 'completed' });
    slice.setStatus({ code: SpanStatusCode.OK });
    slice.end();
    if (logger) {
      // Today's way: the service builds the summary object by hand and logs it once.
      const summary: Record<string, unknown> = {
        trace_id: traceId,
        event: EVENT,
        outcome: 'success',
        final_status: 'completed',
        duration_ms: Date.now() - started,
        context: { trace_id: traceId, component: COMPONENT },
        steps,
        error: null,
        ...DOMAIN,
      };
      if (otelText !== undefined) {
        summary['span_id'] = slice.spanContext().spanId;
        summary['otel'] = otelText;
      }
      logger.info(summary, `[event] ${EVENT} -> success`);
    }
  });
}

function plainScenario(name: string, sink: LogSink, withSummaryLine: boolean, otelText?: string): SliceScenario {
  const exporter = new NoopExporter();
  const provider = plainProvider(exporter);
  const tracer = provider.getTracer('alakai-bench');
  const logger = withSummaryLine ? serviceLogger(sink.stream) : undefined;
  return {
    name,
    runSlice: () => runPlainSlice(tracer, logger, otelText),
    async settle() {
      await provider.forceFlush();
      await sink.drain();
    },
    exportedSpans: () => exporter.spans,
    shutdown: () => provider.shutdown(),
  };
}

export const otelOnlyScenario = (sink: LogSink): SliceScenario => plainScenario('(a) otel-sdk, no line', sink, false);
export const handWrittenLineScenario = (sink: LogSink): SliceScenario =>
  plainScenario('(b) otel-sdk + hand-written line', sink, true);
/** (b′): (b) with the bridge line's extra fields written by hand; `otelText` is a real slice's. */
export const sameSizeLineScenario = (sink: LogSink, otelText: string): SliceScenario =>
  plainScenario('(b′) hand-written, bridge-sized line', sink, true, otelText);

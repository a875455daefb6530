/**
 * TEMPORARY STAND-IN for src/sdk, which had not landed when the demo was written. It implements
 * just the API surface of sdk-port.ts so the demo's processes, hand-overs and files can be run
 * and tested; it does NOT write the bridge's round-trip fields (span_id, otel). When src/sdk lands,
 * this file becomes a re-export of the real SDK and everything else stays as it is.
 */
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { hrTimeToNanoseconds, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, RandomIdGenerator, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { appendFileSync } from 'node:fs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino } from 'pino';
import { encodeOtlpJsonLine } from '../contract/otlp-json.js';
import type { Attributes, SpanRecord } from '../contract/span-record.js';
import { componentResource } from '../contract/resource.js';
import { sanitizeText } from '../contract/sanitize.js';
import { eventMsg, type Component, type Outcome } from '../contract/summary-event.js';
import type { SqsMessageAttribute } from './handoff.js';
import type { Propagation, Slice, SliceOptions, Tracing } from './sdk-port.js';

const w3c = new W3CTraceContextPropagator();
propagation.setGlobalPropagator(w3c);

/** Active context across awaits (what @opentelemetry/context-async-hooks does; not installed here). */
const storage = new AsyncLocalStorage<Context>();
otelContext.setGlobalContextManager({
  active: () => storage.getStore() ?? ROOT_CONTEXT,
  with: (ctx, fn, thisArg, ...args) => storage.run(ctx, () => fn.call(thisArg, ...args)),
  bind: (_ctx, target) => target,
  enable() {
    return this;
  },
  disable() {
    storage.disable();
    return this;
  },
});

function toRecord(s: ReadableSpan): SpanRecord {
  const record: SpanRecord = {
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    name: s.name,
    kind: s.kind as SpanRecord['kind'],
    startTimeUnixNano: BigInt(hrTimeToNanoseconds(s.startTime)),
    endTimeUnixNano: BigInt(hrTimeToNanoseconds(s.endTime)),
    status: { code: s.status.code as SpanRecord['status']['code'] },
    attributes: s.attributes as Attributes,
    events: s.events.map((e) => ({ name: e.name, timeUnixNano: BigInt(hrTimeToNanoseconds(e.time)), attributes: (e.attributes ?? {}) as Attributes })),
    resource: s.resource.attributes as Attributes,
    scope: { name: s.instrumentationScope.name },
  };
  if (s.parentSpanContext?.spanId) record.parentSpanId = s.parentSpanContext.spanId;
  return record;
}

export class OtlpJsonFileExporter implements SpanExporter {
  constructor(private readonly path: string) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      appendFileSync(this.path, encodeOtlpJsonLine(spans.map(toRecord)) + '\n');
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }
  async shutdown(): Promise<void> {}
}


function flatten(prefix: string, value: unknown, out: Attributes): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(`${prefix}.${k}`, v, out);
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[prefix] = value;
}

export function setupAlakaiTracing(options: { service: string; component: Component; exporter: SpanExporter }): Tracing {
  let nextTraceId: string | undefined;
  const random = new RandomIdGenerator();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(componentResource(options.service, options.component)),
    idGenerator: {
      generateTraceId: () => {
        const id = nextTraceId ?? random.generateTraceId();
        nextTraceId = undefined;
        return id;
      },
      generateSpanId: () => random.generateSpanId(),
    },
    spanProcessors: [new BatchSpanProcessor(options.exporter)],
  });
  const tracer = provider.getTracer('alakai-otel');
  const logger = pino({
    base: { service: options.service, component: options.component },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (_label, number) => ({ level: number }) },
  });

  async function runSlice<T>(opts: SliceOptions, fn: (slice: Slice) => T | Promise<T>): Promise<T> {
    let parent = opts.parent ?? ROOT_CONTEXT;
    if (!opts.parent && opts.traceId) nextTraceId = opts.traceId.replaceAll('-', '');
    const span = tracer.startSpan(opts.event, { kind: opts.kind ?? SpanKind.INTERNAL, attributes: { 'alakai.event': opts.event } }, parent);
    const hex = span.spanContext().traceId;
    const traceId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const ctx = trace.setSpan(parent, span);
    const steps: Record<string, string> = {};
    for (const s of opts.steps ?? []) steps[s] = '-';
    const fields: Record<string, unknown> = { ...opts.fields };
    const started = Date.now();
    let finished = false;
    const slice: Slice = {
      traceId,
      span,
      context: ctx,
      async step(name, stepFn) {
        const stepSpan = tracer.startSpan(name, { attributes: { 'alakai.step': name } }, ctx);
        try {
          const result = await otelContext.with(trace.setSpan(ctx, stepSpan), stepFn);
          steps[name] = 'ok';
          return result;
        } catch (err) {
          steps[name] = 'error';
          stepSpan.setStatus({ code: SpanStatusCode.ERROR });
          throw err;
        } finally {
          stepSpan.end();
        }
      },
      set(more) {
        Object.assign(fields, more);
      },
      finish(outcome: Outcome, finalStatus: string, error?: unknown) {
        if (finished) return;
        finished = true;
        const errorField = outcome === 'error' ? { type: error instanceof Error ? error.name : 'Error', message: sanitizeText(error instanceof Error ? error.message : String(error)) } : null;
        const attributes: Attributes = { 'alakai.outcome': outcome, 'alakai.final_status': finalStatus };
        for (const [k, v] of Object.entries(fields)) flatten(`alakai.${k}`, v, attributes);
        span.setAttributes(attributes);
        if (errorField) span.setStatus({ code: SpanStatusCode.ERROR, message: errorField.message });
        span.end();
        logger.info(
          {
            trace_id: traceId, event: opts.event, outcome, final_status: finalStatus, duration_ms: Date.now() - started,
            context: { trace_id: traceId, component: options.component }, steps, error: errorField, ...fields,
          },
          eventMsg(opts.event, outcome),
        );
      },
    };
    try {
      const result = await otelContext.with(ctx, () => fn(slice));
      slice.finish('success', 'completed');
      return result;
    } catch (err) {
      slice.finish('error', 'unhandled_error', err);
      throw err;
    }
  }

  return {
    tracer,
    logger,
    runSlice,
    async shutdown() {
      await provider.shutdown();
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    },
  };
}

function carrierToContext(carrier: Record<string, string>): Context {
  return propagation.extract(ROOT_CONTEXT, carrier);
}

function traceIdOf(ctx: Context): string {
  const hex = trace.getSpanContext(ctx)?.traceId ?? '';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const propagationHelpers: Propagation = {
  withProducerSpan<T>(tracer: Tracer, opts: { system: 'aws_sqs' | 'redis'; destination: string }, fn: (ctx: Context, span: Span) => T): T {
    const span = tracer.startSpan(`send ${opts.destination}`, {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': opts.system, 'messaging.destination.name': opts.destination, 'messaging.operation.type': 'send' },
    });
    const ctx = trace.setSpan(otelContext.active(), span);
    const result = otelContext.with(ctx, () => fn(ctx, span));
    if (result instanceof Promise) return result.finally(() => span.end()) as T;
    span.end();
    return result;
  },
  injectSqsAttributes(attributes: Record<string, SqsMessageAttribute>, ctx: Context) {
    const carrier: Record<string, string> = {};
    propagation.inject(ctx, carrier);
    const out = { ...attributes };
    for (const [k, v] of Object.entries(carrier)) out[k] = { DataType: 'String', StringValue: v };
    out['trace_id'] = { DataType: 'String', StringValue: traceIdOf(ctx) };
    return out;
  },
  extractSqsContext(message) {
    const carrier: Record<string, string> = {};
    for (const [k, v] of Object.entries(message.MessageAttributes ?? {})) if (v.StringValue) carrier[k] = v.StringValue;
    return carrierToContext(carrier);
  },
  injectRedisPayload(payload, ctx) {
    const carrier: Record<string, string> = {};
    propagation.inject(ctx, carrier);
    return { ...payload, trace_id: traceIdOf(ctx), traceparent: carrier['traceparent'] ?? '' };
  },
  extractRedisContext(payload) {
    const p = payload as Record<string, unknown>;
    return carrierToContext(typeof p['traceparent'] === 'string' ? { traceparent: p['traceparent'] } : {});
  },
};

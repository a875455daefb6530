/**
 * The instrumentation API: a slice is one span carrying `alakai.event`; its steps are child spans
 * carrying `alakai.step`. The SummaryEventProcessor turns the slice into its summary line when the
 * slice span ends, so this file only shapes spans and never writes logs itself.
 */
import {
  context,
  diag,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { Logger } from 'pino';
import {
  ALAKAI_EVENT,
  ALAKAI_FINAL_STATUS,
  ALAKAI_OUTCOME,
  ALAKAI_STEP,
  ALAKAI_STEPS_DECLARED,
  ALAKAI_TRACE_ID,
} from '../contract/attribute-keys.js';
import { flattenDomain } from '../contract/domain-attributes.js';
import type { Attributes as RecordAttributes } from '../contract/span-record.js';
import { MAX_NAME_LENGTH } from '../contract/limits.js';
import { isOutcome, type Outcome } from '../contract/summary-event.js';
import { needsOriginalTraceId, newAlakaiTraceId, toAlakaiTraceId, toOtelTraceId } from '../contract/trace-id.js';
import { recordSanitizedException } from './exception.js';
import { noticeOnce } from './notice.js';
import { withRequestedTraceId } from './id-generator.js';
import { injectW3c, TRACEPARENT } from './propagation/w3c.js';
import { sliceComponent, withActiveSlice, type ActiveSlice } from './slice-context.js';
import { sliceLogger } from './slice-logger.js';

export interface SliceOptions {
  /** Catalog name, e.g. 'slack.implementation'. */
  event: string;
  /**
   * The execution's Alakai trace id, written as the line's `trace_id` (the guide's join key): the
   * x-github-delivery UUID, or the one a hand-over carried. Default: the parent's, else a fresh UUIDv4.
   */
  traceId?: string;
  /**
   * Context extracted from SQS/Redis. With a span in it, the slice is its child when `traceId` is
   * absent or maps to that span's trace; with no span (an upstream that sent only `trace_id`), or
   * a span of another trace than `traceId`, the slice is a root in `traceId`'s trace (docs/sdk.md).
   */
  parent?: Context;
  /** Declared steps, in order: the ones that never run show "-" in the summary. */
  steps?: string[];
  /** SERVER for core, CONSUMER for orchestrator/worker; default INTERNAL. */
  kind?: SpanKind;
  /** Domain objects: { repo: { full_name }, task: {...}, ... }. */
  fields?: Record<string, unknown>;
  attributes?: Attributes;
}

export interface Slice {
  /** Alakai form (UUID). */
  readonly traceId: string;
  readonly span: Span;
  /** Active context inside the slice (use it for injection). */
  readonly context: Context;
  /**
   * A child of the service's logger bound to this slice: `trace_id` and `context: { trace_id,
   * component }`, the same values as the slice's summary line, so the guide's step-level query
   * (`filter trace_id = …`) finds the lines. Made on first use.
   */
  readonly logger: Logger;
  /** Runs `fn` as a child span; a throw marks the step "error" and is rethrown. */
  step<T>(name: string, fn: (span: Span) => Promise<T> | T): Promise<T>;
  set(fields: Record<string, unknown>): void;
  /** Idempotent: the first call decides the outcome. */
  finish(outcome: Outcome, finalStatus: string, error?: unknown): void;
}

/**
 * Adds the attributes of `fields` to `out`. flattenDomain writes only `alakai.*` keys, so `out`
 * can be a plain object (faster in V8 than a null-prototype one) and the slice's attributes can
 * take them directly instead of through a copy.
 */
function addDomainAttributes(fields: Record<string, unknown> | undefined, out: RecordAttributes): void {
  if (!fields) return;
  try {
    flattenDomain(fields, Object.keys(fields), out);
  } catch (error) {
    diag.warn(`alakai-otel: slice fields could not be recorded: ${(error as Error)?.message ?? error}`);
  }
}

class SliceHandle implements Slice {
  private finished = false;
  private boundLogger: Logger | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly serviceLogger: Logger | undefined,
    private readonly active: ActiveSlice,
    readonly span: Span,
    readonly context: Context,
  ) {}

  get traceId(): string {
    return this.active.traceId;
  }

  get logger(): Logger {
    this.boundLogger ??= sliceLogger(this.serviceLogger, this.active);
    return this.boundLogger;
  }

  async step<T>(name: string, fn: (span: Span) => Promise<T> | T): Promise<T> {
    const stepName = String(name).slice(0, MAX_NAME_LENGTH);
    const stepSpan = this.tracer.startSpan(stepName, { attributes: { [ALAKAI_STEP]: stepName } }, this.context);
    try {
      return await context.with(trace.setSpan(this.context, stepSpan), () => fn(stepSpan));
    } catch (error) {
      recordSanitizedException(stepSpan, error);
      throw error;
    } finally {
      stepSpan.end();
    }
  }

  set(fields: Record<string, unknown>): void {
    if (!fields) return;
    const attributes: RecordAttributes = {};
    addDomainAttributes(fields, attributes);
    this.span.setAttributes(attributes);
  }

  finish(outcome: Outcome, finalStatus: string, error?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    try {
      const safeOutcome: Outcome = isOutcome(outcome) ? outcome : 'error';
      this.span.setAttribute(ALAKAI_OUTCOME, safeOutcome);
      this.span.setAttribute(ALAKAI_FINAL_STATUS, String(finalStatus).slice(0, MAX_NAME_LENGTH));
      if (safeOutcome === 'error') {
        if (error !== undefined) recordSanitizedException(this.span, error);
        else this.span.setStatus({ code: SpanStatusCode.ERROR });
      }
    } catch (e) {
      diag.error(`alakai-otel: could not finish slice: ${(e as Error)?.message ?? e}`);
    } finally {
      this.span.end();
    }
  }
}

/**
 * Where the slice's span goes: under `options.parent` (a hand-over whose trace is the execution's),
 * as a root with the caller's or the carrier's trace id, nested under the active span, or as a
 * root with a fresh id.
 */
interface StartedSlice {
  span: Span;
  parent: Context;
  /** The Alakai trace id when this call chose it and the span carries it (saves mapping it back). */
  alakaiTraceId?: string;
}

/**
 * Attribute of a slice whose hand-over carried a `traceparent` of another trace than its
 * `trace_id`: the slice became a root in `trace_id`'s trace (the guide's join key wins, so the
 * line's `trace_id` and the span's trace id always map to each other, which the backfill relies on
 * to rebuild the span) and the ignored `traceparent` is kept here, so the upstream span can still
 * be found. An attribute and not a span link: the bridge extension records attributes exactly, and
 * has no place for links.
 */
export const ALAKAI_HANDOVER_TRACEPARENT = 'alakai.handover.traceparent';

/** What to do with `options.parent`: join it, or start a root (the parent has no span, or another trace). */
function handOverParent(options: SliceOptions, attributes: Attributes): Context | undefined {
  const parent = options.parent;
  if (!parent) return undefined;
  const parentSpan = trace.getSpanContext(parent);
  if (!parentSpan || !isSpanContextValid(parentSpan)) return undefined; // only a trace_id came: a root slice
  if (options.traceId === undefined) return parent;
  const mapped = toOtelTraceId(options.traceId);
  if (!mapped.ok) {
    noticeOnce(
      'slice-trace-id-rejected',
      `a slice's trace id was rejected (${mapped.reason}); the slice joins its hand-over's trace and writes that trace's id`,
    );
    return parent;
  }
  if (mapped.traceId === parentSpan.traceId) return parent;
  const traceparent = injectW3c(parent)[TRACEPARENT];
  if (traceparent) attributes[ALAKAI_HANDOVER_TRACEPARENT] = traceparent;
  return undefined;
}

function startSliceSpan(tracer: Tracer, options: SliceOptions, attributes: Attributes): StartedSlice {
  const spanOptions = { kind: options.kind ?? SpanKind.INTERNAL, attributes };
  const name = String(options.event).slice(0, MAX_NAME_LENGTH);
  const joined = handOverParent(options, attributes);
  if (joined) return { span: tracer.startSpan(name, spanOptions, joined), parent: joined };
  if (!options.parent && options.traceId === undefined && trace.getSpan(context.active())) {
    const active = context.active();
    return { span: tracer.startSpan(name, spanOptions, active), parent: active };
  }
  let alakaiId = options.traceId ?? newAlakaiTraceId();
  let mapped = toOtelTraceId(alakaiId);
  if (!mapped.ok) {
    diag.warn(`alakai-otel: trace id rejected (${mapped.reason}); slice "${name}" gets a fresh one`);
    alakaiId = newAlakaiTraceId();
    mapped = toOtelTraceId(alakaiId);
  }
  const otelId = mapped.ok ? mapped.traceId : '';
  if (needsOriginalTraceId(alakaiId, otelId)) attributes[ALAKAI_TRACE_ID] = alakaiId;
  const started = withRequestedTraceId(otelId, () => tracer.startSpan(name, spanOptions, ROOT_CONTEXT));
  if (!started.taken) {
    diag.warn('alakai-otel: this tracer does not use the Alakai id generator; the root slice got a random trace id');
    return { span: started.value, parent: ROOT_CONTEXT };
  }
  const span = started.value;
  return span.spanContext().traceId === otelId
    ? { span, parent: ROOT_CONTEXT, alakaiTraceId: alakaiId }
    : { span, parent: ROOT_CONTEXT };
}

/**
 * `logger` is the service's logger, the parent of `slice.logger` (setupAlakaiTracing passes its
 * own); without it, the registered tracing's logger is used, else a plain stdout logger.
 */
export async function runSlice<T>(
  tracer: Tracer,
  options: SliceOptions,
  fn: (slice: Slice) => Promise<T> | T,
  logger?: Logger,
): Promise<T> {
  const attributes: Attributes = {
    ...options.attributes,
    [ALAKAI_EVENT]: String(options.event).slice(0, MAX_NAME_LENGTH),
  };
  if (options.steps && options.steps.length > 0) attributes[ALAKAI_STEPS_DECLARED] = options.steps.map(String);
  addDomainAttributes(options.fields, attributes as RecordAttributes);
  const { span, parent, alakaiTraceId } = startSliceSpan(tracer, options, attributes);
  const otelTraceId = span.spanContext().traceId;
  let original = typeof attributes[ALAKAI_TRACE_ID] === 'string' ? attributes[ALAKAI_TRACE_ID] : undefined;
  // A hand-over may carry a non-UUID Alakai id next to the traceparent: keep it when it maps here.
  // (A root slice chose its id above and already carries it.)
  if (options.parent && options.traceId !== undefined && alakaiTraceId === undefined && original === undefined) {
    const mapped = toOtelTraceId(options.traceId);
    if (mapped.ok && mapped.traceId === otelTraceId && needsOriginalTraceId(options.traceId, otelTraceId)) {
      span.setAttribute(ALAKAI_TRACE_ID, options.traceId);
      original = options.traceId;
    }
  }
  // A root slice whose id this call chose: the span carries exactly that id (its OTel form, plus
  // `alakai.trace_id` when the mapping is not reversible), so it needs no mapping back.
  const traceId = original ?? alakaiTraceId ?? toAlakaiTraceId(otelTraceId);
  const active: ActiveSlice = { traceId, component: sliceComponent(span) };
  const sliceContext = withActiveSlice(trace.setSpan(parent, span), active);
  const slice = new SliceHandle(tracer, logger, active, span, sliceContext);
  try {
    const result = await context.with(sliceContext, () => fn(slice));
    slice.finish('success', 'completed');
    return result;
  } catch (error) {
    slice.finish('error', 'failed', error);
    throw error;
  }
}

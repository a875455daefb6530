/**
 * The slice a piece of code runs in, kept in the OTel context next to the slice's span: its Alakai
 * trace id (the form the summary line writes, which the span alone cannot give for a non-UUID id
 * mapped by hash) and its component. Step-level loggers (`slice.logger`, alakaiLogMixin) read it,
 * so their lines carry the same `trace_id` and `context.component` as the slice's summary line.
 */
import { createContextKey, type Context, type Span } from '@opentelemetry/api';
import { ALAKAI_COMPONENT } from '../contract/attribute-keys.js';

export interface ActiveSlice {
  /** Alakai form, exactly as the summary line writes it. */
  readonly traceId: string;
  /** The slice's component, as the summary line writes it (`context.component`). */
  readonly component: string;
}

const SLICE_KEY = createContextKey('alakai-otel slice');

export function withActiveSlice(ctx: Context, slice: ActiveSlice): Context {
  return ctx.setValue(SLICE_KEY, slice);
}

export function activeSliceIn(ctx: Context): ActiveSlice | undefined {
  return ctx.getValue(SLICE_KEY) as ActiveSlice | undefined;
}

interface SdkSpanView {
  resource?: { attributes?: Record<string, unknown> };
  attributes?: Record<string, unknown>;
}

/**
 * The component the summary line will write: spans-to-event reads `alakai.component` from the
 * span's resource, then from its attributes, else 'unknown'. An SDK span exposes both; a span from
 * another SDK may not, hence the defensive reads.
 */
export function sliceComponent(span: Span): string {
  const view = span as SdkSpanView;
  const component = view.resource?.attributes?.[ALAKAI_COMPONENT] ?? view.attributes?.[ALAKAI_COMPONENT];
  return typeof component === 'string' ? component : 'unknown';
}

/**
 * Parents for spans rebuilt from legacy summary events (no span ids in the log), by causal order
 * across the guide's flow core → SQS → orchestrator → ECS task → worker:
 *
 *  - the first core slice is the root (no parent); without a core slice, the earliest slice is;
 *  - orchestrator slices — `slot_unavailable` retries included — are children of the root;
 *  - a worker slice is the child of the orchestrator slice that launched it: the latest successful
 *    orchestrator slice that ended before the worker started; failing that the latest orchestrator
 *    slice; failing that the root;
 *  - anything else (a second core slice, an unknown component) is a child of the root.
 *
 * Times are never rewritten: a worker whose clock runs ahead of the orchestrator's still gets its
 * parent, and the waterfall shows the skew as it was logged. Bridged slices keep the parents they
 * were exported with; they only take part as candidates.
 */
import { ALAKAI_COMPONENT, ALAKAI_OUTCOME } from '../../contract/attribute-keys.js';
import type { SpanRecord } from '../../contract/span-record.js';

export interface Slice {
  /** The slice span (the first span rebuilt from the event). */
  span: SpanRecord;
  component: string;
  legacy: boolean;
}

export function compareSliceOrder(a: Slice, b: Slice): number {
  const x = a.span;
  const y = b.span;
  if (x.startTimeUnixNano !== y.startTimeUnixNano) return x.startTimeUnixNano < y.startTimeUnixNano ? -1 : 1;
  if (x.endTimeUnixNano !== y.endTimeUnixNano) return x.endTimeUnixNano < y.endTimeUnixNano ? -1 : 1;
  return x.spanId < y.spanId ? -1 : x.spanId > y.spanId ? 1 : 0;
}

export function sliceComponent(span: SpanRecord): string {
  const c = span.attributes[ALAKAI_COMPONENT] ?? span.resource[ALAKAI_COMPONENT];
  return typeof c === 'string' ? c : '';
}

/** Orchestrator slice with the latest end; ties by order, so the result never depends on input order. */
function latest(slices: readonly Slice[]): Slice | undefined {
  let best: Slice | undefined;
  for (const s of slices) if (!best || s.span.endTimeUnixNano >= best.span.endTimeUnixNano) best = s;
  return best;
}

/** Sets parentSpanId on the legacy slices (in place). `slices` must be sorted by compareSliceOrder. */
export function linkLegacySlices(slices: readonly Slice[]): void {
  if (!slices.some((s) => s.legacy)) return;
  const root = slices.find((s) => s.component === 'core') ?? slices[0]!;
  const orchestrators = slices.filter((s) => s.component === 'orchestrator' && s !== root);
  for (const slice of slices) {
    if (!slice.legacy || slice === root) continue;
    let parent: Slice | undefined = root;
    if (slice.component === 'worker') {
      const start = slice.span.startTimeUnixNano;
      const ended = orchestrators.filter((o) => o.span.endTimeUnixNano <= start);
      parent =
        latest(ended.filter((o) => o.span.attributes[ALAKAI_OUTCOME] === 'success')) ??
        latest(ended) ??
        latest(orchestrators) ??
        root;
    }
    if (parent && parent !== slice) slice.span.parentSpanId = parent.span.spanId;
  }
}

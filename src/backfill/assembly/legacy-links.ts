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

/** A slice of a trace as its placement sees it: id, times, component, outcome. */
export interface Slice {
  readonly spanId: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly component: string;
  /** `alakai.outcome` of the slice (a bridged slice's as it was exported). */
  readonly outcome: unknown;
  /** Rebuilt from a legacy event (placed here, built after); a bridged slice is final as exported. */
  readonly legacy: boolean;
}

export function compareSliceOrder(a: Slice, b: Slice): number {
  if (a.startNs !== b.startNs) return a.startNs < b.startNs ? -1 : 1;
  if (a.endNs !== b.endNs) return a.endNs < b.endNs ? -1 : 1;
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}

/** Orchestrator slice with the latest end; ties by order, so the result never depends on input order. */
function latest(slices: readonly Slice[]): Slice | undefined {
  let best: Slice | undefined;
  for (const s of slices) if (!best || s.endNs >= best.endNs) best = s;
  return best;
}

/**
 * The parent span id of each legacy slice that gets one (the root gets none). `slices` must be
 * sorted by compareSliceOrder. The spans are built afterwards, with these parents.
 */
export function legacyParents(slices: readonly Slice[]): Map<Slice, string> {
  const parents = new Map<Slice, string>();
  if (!slices.some((s) => s.legacy)) return parents;
  const root = slices.find((s) => s.component === 'core') ?? slices[0]!;
  const orchestrators = slices.filter((s) => s.component === 'orchestrator' && s !== root);
  for (const slice of slices) {
    if (!slice.legacy || slice === root) continue;
    let parent: Slice | undefined = root;
    if (slice.component === 'worker') {
      const start = slice.startNs;
      const ended = orchestrators.filter((o) => o.endNs <= start);
      parent = latest(ended.filter((o) => o.outcome === 'success')) ?? latest(ended) ?? latest(orchestrators) ?? root;
    }
    if (parent && parent !== slice) parents.set(slice, parent.spanId);
  }
  return parents;
}

/**
 * Whether `parent` (what legacyParents chose for `slice`, undefined for the root) is the slice's
 * causal parent by the first rule above rather than a fallback: a core slice needs none (it is
 * the root) or another core slice; a worker, a successful orchestrator slice that ended before it
 * started; any other slice, a core slice. `follow` holds a legacy slice until this holds (or its
 * hold runs out): with every slice present, the choice can no longer fall back.
 */
export function hasCausalParent(slice: Slice, parent: Slice | undefined): boolean {
  if (slice.component === 'core') return parent === undefined || parent.component === 'core';
  if (parent === undefined) return false;
  if (slice.component === 'worker')
    return parent.component === 'orchestrator' && parent.outcome === 'success' && parent.endNs <= slice.startNs;
  return parent.component === 'core';
}

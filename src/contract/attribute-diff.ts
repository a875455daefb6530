/**
 * The bridge extension stores a span's attributes (and resource) as a difference from what can be
 * derived from the event's own fields, so a typical slice costs a few bytes. The difference keeps
 * key order too: OTLP exporters write attributes in insertion order and Jaeger's duplicate
 * detection hashes what it receives.
 */
import { newAttributes, sameAttributeValue } from './attribute-values.js';
import type { Attributes } from './span-record.js';

export interface AttributeDiff {
  /** Attributes whose value is not the derived one (or that are not derived at all), in span order. */
  set?: Attributes;
  /** Derived attributes the span does not have. */
  del?: string[];
  /** Key order when it differs from "derived order, then new keys": position of each key in that list. */
  order?: number[];
}

function rebuiltKeyOrder(derived: Attributes, set: Attributes | undefined, deleted: ReadonlySet<string>): string[] {
  const keys: string[] = [];
  for (const k of Object.keys(derived)) if (!deleted.has(k)) keys.push(k);
  if (set) for (const k of Object.keys(set)) if (!Object.hasOwn(derived, k)) keys.push(k);
  return keys;
}

export function diffAttributes(actual: Attributes, derived: Attributes): AttributeDiff | undefined {
  let set: Attributes | undefined;
  const actualKeys = Object.keys(actual);
  for (const k of actualKeys) {
    if (!Object.hasOwn(derived, k) || !sameAttributeValue(actual[k], derived[k])) (set ??= newAttributes())[k] = actual[k]!;
  }
  const del = Object.keys(derived).filter((k) => !Object.hasOwn(actual, k));
  const rebuilt = rebuiltKeyOrder(derived, set, new Set(del));
  let order: number[] | undefined;
  if (rebuilt.length !== actualKeys.length || rebuilt.some((k, i) => k !== actualKeys[i])) {
    const position = new Map(rebuilt.map((k, i) => [k, i]));
    order = actualKeys.map((k) => position.get(k)!);
  }
  if (!set && del.length === 0 && !order) return undefined;
  const diff: AttributeDiff = {};
  if (set) diff.set = set;
  if (del.length) diff.del = del;
  if (order) diff.order = order;
  return diff;
}

/** Inverse of diffAttributes. Returns undefined when the diff is inconsistent (a corrupt line). */
export function applyAttributeDiff(derived: Attributes, diff: AttributeDiff | undefined): Attributes | undefined {
  const deleted = new Set(diff?.del ?? []);
  const set = diff?.set;
  const keys = rebuiltKeyOrder(derived, set, deleted);
  const out = newAttributes();
  const valueOf = (k: string) => (set && Object.hasOwn(set, k) ? set[k]! : derived[k]!);
  if (!diff?.order) {
    for (const k of keys) out[k] = valueOf(k);
    return out;
  }
  if (diff.order.length !== keys.length) return undefined;
  for (const i of diff.order) {
    const k = keys[i];
    if (k === undefined || Object.hasOwn(out, k)) return undefined;
    out[k] = valueOf(k);
  }
  return out;
}

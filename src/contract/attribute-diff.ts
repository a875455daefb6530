/**
 * The bridge extension stores a span's attributes (and resource) as a difference from what can be
 * derived from the event's own fields, so a typical slice costs a few bytes. The difference keeps
 * key order too: OTLP exporters write attributes in insertion order and Jaeger's duplicate
 * detection hashes what it receives.
 */
import { sameAttributeValue, setOwnAttribute } from './attribute-values.js';
import type { AttributeValue, Attributes } from './span-record.js';

export interface AttributeDiff {
  /** Attributes whose value is not the derived one (or that are not derived at all), in span order. */
  set?: Attributes;
  /** Derived attributes the span does not have. */
  del?: string[];
  /**
   * Key order, when it differs from "derived keys (minus del), then new keys of set". Either the
   * final position of each new key, ascending (when the derived keys keep their relative order —
   * the usual case: attributes set at span start before the outcome set at its end), or, when its
   * length is the number of keys, for each key in span order its position in that list.
   */
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
    if (!Object.hasOwn(derived, k) || !sameAttributeValue(actual[k], derived[k]))
      setOwnAttribute((set ??= {}), k, actual[k]!);
  }
  const derivedKeys = Object.keys(derived);
  let del: string[] | undefined;
  for (const k of derivedKeys) if (!Object.hasOwn(actual, k)) (del ??= []).push(k);
  const insertions = insertionPositions(actualKeys, derivedKeys, actual, derived);
  let order: number[] | undefined;
  if (insertions === undefined) order = keyOrder(actualKeys, rebuiltKeyOrder(derived, set, new Set(del)), derived);
  else if (!trailing(insertions, actualKeys.length)) order = insertions;
  if (!set && !del && !order) return undefined;
  const diff: AttributeDiff = {};
  if (set) diff.set = set;
  if (del) diff.del = del;
  if (order) diff.order = order;
  return diff;
}

/**
 * When the derived keys the span has are in derived order, the positions of the span's other keys
 * (its insertion form of `order`), found in one pass; undefined when the derived keys are out of
 * order (then only the full form can say it). The usual slice takes this path: the bridge's own
 * attributes in derived order, with the service's (`alakai.steps.declared`, say) set in between.
 */
function insertionPositions(
  actualKeys: readonly string[],
  derivedKeys: readonly string[],
  actual: Attributes,
  derived: Attributes,
): number[] | undefined {
  const insertions: number[] = [];
  let next = 0;
  for (let i = 0; i < actualKeys.length; i++) {
    const k = actualKeys[i]!;
    if (!Object.hasOwn(derived, k)) {
      insertions.push(i);
      continue;
    }
    while (next < derivedKeys.length && !Object.hasOwn(actual, derivedKeys[next]!)) next++;
    if (derivedKeys[next] !== k) return undefined;
    next++;
  }
  return insertions;
}

/**
 * Insertions at the very end are the order applyAttributeDiff rebuilds without `order`: the
 * derived keys first, then the span's others.
 */
function trailing(insertions: readonly number[], keyCount: number): boolean {
  const first = keyCount - insertions.length;
  for (let j = 0; j < insertions.length; j++) if (insertions[j] !== first + j) return false;
  return true;
}

function keyOrder(actualKeys: readonly string[], rebuilt: readonly string[], derived: Attributes): number[] {
  const insertions: number[] = [];
  let derivedSeen = 0;
  let keepsDerivedOrder = true;
  const derivedKept = rebuilt.filter((k) => Object.hasOwn(derived, k));
  actualKeys.forEach((k, i) => {
    if (!Object.hasOwn(derived, k)) insertions.push(i);
    else if (derivedKept[derivedSeen++] !== k) keepsDerivedOrder = false;
  });
  if (keepsDerivedOrder && insertions.length < actualKeys.length) return insertions;
  const position = new Map(rebuilt.map((k, i) => [k, i]));
  return actualKeys.map((k) => position.get(k)!);
}

/**
 * Inverse of diffAttributes. When `order` does not fit the keys (entries of `set` were left out
 * because JSON could not carry their values, or a corrupt line), the values are still rebuilt, in
 * the default order.
 */
export function applyAttributeDiff(derived: Attributes, diff: AttributeDiff | undefined): Attributes {
  const deleted = new Set(diff?.del ?? []);
  const set = diff?.set;
  const keys = rebuiltKeyOrder(derived, set, deleted);
  const out: Attributes = {};
  const valueOf = (k: string) => (set && Object.hasOwn(set, k) ? set[k]! : derived[k]!);
  const ordered = diff?.order ? applyOrder(keys, diff.order, derived, valueOf) : undefined;
  if (ordered) return ordered;
  for (const k of keys) setOwnAttribute(out, k, valueOf(k));
  return out;
}

function applyOrder(
  keys: readonly string[],
  order: readonly number[],
  derived: Attributes,
  valueOf: (key: string) => AttributeValue,
): Attributes | undefined {
  const out: Attributes = {};
  if (order.length === keys.length) {
    for (const i of order) {
      const k = keys[i];
      if (k === undefined || Object.hasOwn(out, k)) return undefined;
      setOwnAttribute(out, k, valueOf(k));
    }
    return out;
  }
  // Insertion form: new keys at the given final positions, derived keys fill the rest in order.
  const newKeys = keys.filter((k) => !Object.hasOwn(derived, k));
  const derivedKeys = keys.filter((k) => Object.hasOwn(derived, k));
  if (order.length !== newKeys.length) return undefined;
  let nextNew = 0;
  let nextDerived = 0;
  for (let position = 0; position < keys.length; position++) {
    const k = order[nextNew] === position ? newKeys[nextNew++] : derivedKeys[nextDerived++];
    if (k === undefined) return undefined;
    setOwnAttribute(out, k, valueOf(k));
  }
  return nextNew === newKeys.length ? out : undefined;
}

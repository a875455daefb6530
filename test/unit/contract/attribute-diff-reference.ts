/**
 * The plain reference for src/contract/attribute-diff.ts's diffAttributes: the two-step form it had
 * before the one-pass insertion positions (check the order, then build the rebuilt key list and
 * compare). attribute-diff-reference.test.ts checks the two agree on every input.
 */
import { sameAttributeValue, setOwnAttribute } from '../../../src/contract/attribute-values.js';
import type { AttributeDiff } from '../../../src/contract/attribute-diff.js';
import type { Attributes } from '../../../src/contract/span-record.js';

function rebuiltKeyOrder(derived: Attributes, set: Attributes | undefined, deleted: ReadonlySet<string>): string[] {
  const keys: string[] = [];
  for (const k of Object.keys(derived)) if (!deleted.has(k)) keys.push(k);
  if (set) for (const k of Object.keys(set)) if (!Object.hasOwn(derived, k)) keys.push(k);
  return keys;
}

export function referenceDiffAttributes(actual: Attributes, derived: Attributes): AttributeDiff | undefined {
  let set: Attributes | undefined;
  const actualKeys = Object.keys(actual);
  for (const k of actualKeys) {
    if (!Object.hasOwn(derived, k) || !sameAttributeValue(actual[k], derived[k]))
      setOwnAttribute((set ??= {}), k, actual[k]!);
  }
  const derivedKeys = Object.keys(derived);
  let del: string[] | undefined;
  for (const k of derivedKeys) if (!Object.hasOwn(actual, k)) (del ??= []).push(k);
  let order: number[] | undefined;
  if (!inRebuiltOrder(actualKeys, derivedKeys, actual, derived)) {
    order = keyOrder(actualKeys, rebuiltKeyOrder(derived, set, new Set(del)), derived);
  }
  if (!set && !del && !order) return undefined;
  const diff: AttributeDiff = {};
  if (set) diff.set = set;
  if (del) diff.del = del;
  if (order) diff.order = order;
  return diff;
}

/**
 * Whether `actualKeys` already are in the order applyAttributeDiff rebuilds without `order`: the
 * derived keys the span has, in derived order, then the span's other keys. Checked in one pass, so
 * the usual slice (no reordering) builds no key lists.
 */
function inRebuiltOrder(
  actualKeys: readonly string[],
  derivedKeys: readonly string[],
  actual: Attributes,
  derived: Attributes,
): boolean {
  let next = 0;
  let i = 0;
  for (; i < actualKeys.length; i++) {
    const k = actualKeys[i]!;
    if (!Object.hasOwn(derived, k)) break;
    while (next < derivedKeys.length && !Object.hasOwn(actual, derivedKeys[next]!)) next++;
    if (derivedKeys[next] !== k) return false;
    next++;
  }
  for (; i < actualKeys.length; i++) if (Object.hasOwn(derived, actualKeys[i]!)) return false;
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

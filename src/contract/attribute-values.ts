/** Attribute value checks shared by the mappings (OTel: primitives and homogeneous primitive arrays). */
import type { AttributeValue, Attributes } from './span-record.js';

export function isAttributeValue(value: unknown): value is AttributeValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    default:
      return Array.isArray(value) && isHomogeneousPrimitiveArray(value);
  }
}

export function isHomogeneousPrimitiveArray(value: readonly unknown[]): boolean {
  if (value.length === 0) return true;
  const first = typeof value[0];
  if (first !== 'string' && first !== 'boolean' && first !== 'number') return false;
  for (const v of value) {
    if (typeof v !== first) return false;
    if (first === 'number' && !Number.isFinite(v)) return false;
  }
  return true;
}

export function sameAttributeValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A null-prototype attribute map: keys from outside (even `__proto__`) stay plain data. */
export function newAttributes(): Attributes {
  return Object.create(null) as Attributes;
}

/**
 * Copies the valid attribute values of an untrusted JSON object into a null-prototype map. An
 * entry whose value is not an attribute value (NaN/Infinity became null in JSON, an array holding
 * null) is left out rather than spoiling the whole map. Undefined when `value` is not an object.
 */
export function attributesFromJson(value: unknown): Attributes | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out = newAttributes();
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (isAttributeValue(v)) out[key] = Array.isArray(v) ? (v.slice() as AttributeValue) : v;
  }
  return out;
}

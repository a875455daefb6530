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

/**
 * The one attribute-map form, in both directions: a plain object (V8 keeps null-prototype objects in
 * dictionary mode, slower on every later pass), written with setOwnAttribute so that a key from
 * outside, even `__proto__`, stays plain data, and read with Object.hasOwn or through Object.keys.
 *
 * Sets an own property even for the key `__proto__` (plain assignment would change the
 * object's prototype instead). For plain objects whose keys may come from outside.
 */
export function setOwnAttribute(target: Attributes, key: string, value: AttributeValue): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A copy in the one form (Object.assign would run the `__proto__` setter on a plain target). */
export function copyAttributes(source: Attributes): Attributes {
  const out: Attributes = {};
  for (const key of Object.keys(source)) setOwnAttribute(out, key, source[key]!);
  return out;
}

/**
 * The attribute map held by a freshly parsed JSON object. When every value is an attribute value
 * the object itself is returned (JSON.parse made it; its keys, even `__proto__`, are own data
 * properties). Otherwise the valid entries are copied: an entry JSON could not carry (NaN or
 * Infinity became null, an array holding null) is left out rather than spoiling the whole map.
 * Undefined when `value` is not an object.
 */
export function attributesFromJson(value: unknown): Attributes | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let valid = true;
  for (let i = 0; valid && i < keys.length; i++) valid = isAttributeValue(record[keys[i]!]);
  if (valid) return record as Attributes;
  const out: Attributes = {};
  for (const key of keys) {
    const v = record[key];
    if (isAttributeValue(v)) setOwnAttribute(out, key, v);
  }
  return out;
}

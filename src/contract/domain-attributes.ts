/**
 * Domain fields (`repo`, `task`, `agent`, `pull_request`, `slack`, … — any top-level key that is
 * not one of the guide's fields) ⇄ span attributes, without loss of type:
 *
 *   repo.full_name = "org/repo"       ⇄ alakai.repo.full_name = "org/repo"
 *   pull_request.number = 42          ⇄ alakai.pull_request.number = 42     (number stays number)
 *   labels = ["a", "b"]               ⇄ alakai.labels = ["a", "b"]
 *   task.parent = null                ⇄ alakai.json.task.parent = "null"     (no attribute type: JSON text)
 *   weird.key.with.dots = 1 (top)     ⇄ alakai.json = '{"weird.key.with.dots":1}'
 *
 * An object whose keys cannot be path segments (empty, containing ".") travels whole as JSON text
 * under `alakai.json.<path>`; so does an empty object. Extra keys of `context` map under
 * `alakai.context.`. docs/mapping.md has the full table.
 */
import { ALAKAI_JSON_PREFIX, ALAKAI_PREFIX } from './attribute-keys.js';
import { isHomogeneousPrimitiveArray } from './attribute-values.js';
import { HOSTILE_KEYS, isPlainObject, parseJsonSafely } from './json-safety.js';
import type { AttributeValue, Attributes } from './span-record.js';
import { RESERVED_FIELDS } from './summary-event.js';

/** The whole-value JSON bucket for top-level keys that cannot be attribute path segments. */
export const ALAKAI_JSON_BUCKET = 'alakai.json';
const CONTEXT = 'context';
const CONTEXT_OWN_KEYS: ReadonlySet<string> = new Set(['trace_id', 'component']);
/** First segments under `alakai.` that the bridge itself uses, so no domain field may take them. */
const BRIDGE_SEGMENTS: ReadonlySet<string> = new Set(['json', 'legacy', 'step']);
const MAX_SEGMENT_LENGTH = 128;

export function isPathSegment(key: string): boolean {
  return key.length > 0 && key.length <= MAX_SEGMENT_LENGTH && !key.includes('.') && !HOSTILE_KEYS.has(key);
}

/** Can this top-level key be the first segment of `alakai.<key>…`? */
export function isDomainSegment(key: string): boolean {
  return isPathSegment(key) && !RESERVED_FIELDS.has(key) && !BRIDGE_SEGMENTS.has(key);
}

/** Top-level keys of an event that are domain fields, in order. */
export function domainKeysOf(event: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const k of Object.keys(event)) if (!RESERVED_FIELDS.has(k) && event[k] !== undefined) keys.push(k);
  return keys;
}

function flattenValue(value: unknown, path: string, out: Attributes): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      out[ALAKAI_PREFIX + path] = value;
      return;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) {
        out[ALAKAI_PREFIX + path] = value;
        return;
      }
      break;
    case 'object':
      if (Array.isArray(value)) {
        if (isHomogeneousPrimitiveArray(value) && !value.some((v) => Object.is(v, -0))) {
          out[ALAKAI_PREFIX + path] = value.slice() as AttributeValue;
          return;
        }
        break;
      }
      if (isPlainObject(value)) {
        const keys = Object.keys(value);
        let segments = keys.length > 0;
        for (let i = 0; segments && i < keys.length; i++) segments = isPathSegment(keys[i]!);
        if (segments) {
          const prefix = path + '.';
          for (const k of keys) flattenValue(value[k], prefix + k, out);
          return;
        }
      }
      break;
    default:
      return; // undefined, functions: not JSON, nothing to carry
  }
  out[ALAKAI_JSON_PREFIX + path] = JSON.stringify(value);
}

/** Adds the attributes of the event's domain fields `keys` (and of extra `context` keys) to `out`. */
export function flattenDomain(event: Record<string, unknown>, keys: readonly string[], out: Attributes): void {
  let bucket: Record<string, unknown> | undefined;
  for (const k of keys) {
    const value = event[k];
    if (value === undefined || RESERVED_FIELDS.has(k)) continue;
    if (isDomainSegment(k)) flattenValue(value, k, out);
    else (bucket ??= Object.create(null) as Record<string, unknown>)[k] = value;
  }
  if (bucket) out[ALAKAI_JSON_BUCKET] = JSON.stringify(bucket);
  const context = event[CONTEXT];
  if (isPlainObject(context)) {
    let extras: Record<string, unknown> | undefined;
    for (const k of Object.keys(context)) {
      if (!CONTEXT_OWN_KEYS.has(k) && context[k] !== undefined) (extras ??= {})[k] = context[k];
    }
    if (extras) flattenValue(extras, CONTEXT, out);
  }
}

export interface UnflattenedDomain {
  /** Domain fields in attribute order (plain objects). */
  fields: Record<string, unknown>;
  /** Extra keys of `context` (besides trace_id and component). */
  contextExtras: Record<string, unknown> | undefined;
}

/** Sets `value` at `path` under `root`; false when a different value already holds the place. */
function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown): boolean {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    if (!Object.hasOwn(node, seg)) node[seg] = {};
    const next = node[seg];
    if (!isPlainObject(next)) return false;
    node = next;
  }
  const last = path[path.length - 1]!;
  if (Object.hasOwn(node, last)) return false;
  node[last] = value;
  return true;
}

function attributeToJson(value: AttributeValue): unknown {
  return Array.isArray(value) ? value.slice() : value;
}

/**
 * Inverse of flattenDomain: domain fields and context extras from a span's `alakai.*` attributes.
 * Attributes that do not fit (bad JSON, a path already taken) are skipped; the bridge extension
 * carries them separately, so nothing is lost for bridged slices.
 */
export function unflattenDomain(attributes: Attributes): UnflattenedDomain {
  const fields: Record<string, unknown> = {};
  let contextExtras: Record<string, unknown> | undefined;
  for (const key of Object.keys(attributes)) {
    if (!key.startsWith(ALAKAI_PREFIX)) continue;
    const value = attributes[key]!;
    let rest = key.slice(ALAKAI_PREFIX.length);
    let decoded: unknown;
    if (rest === 'json') {
      if (typeof value !== 'string') continue;
      const parsed = parseJsonSafely(value);
      if (!parsed.ok || !isPlainObject(parsed.value)) continue;
      for (const k of Object.keys(parsed.value)) {
        if (!RESERVED_FIELDS.has(k) && !HOSTILE_KEYS.has(k) && !Object.hasOwn(fields, k)) fields[k] = parsed.value[k];
      }
      continue;
    }
    if (rest.startsWith('json.')) {
      if (typeof value !== 'string') continue;
      const parsed = parseJsonSafely(value);
      if (!parsed.ok) continue;
      decoded = parsed.value;
      rest = rest.slice(5);
    } else {
      decoded = attributeToJson(value);
    }
    const path = rest.split('.');
    if (!path.every(isPathSegment)) continue;
    const top = path[0]!;
    if (top === CONTEXT) {
      if (path.length === 1) {
        // The whole extras object as JSON text (its keys were not path segments).
        if (!isPlainObject(decoded) || contextExtras) continue;
        contextExtras = {};
        for (const k of Object.keys(decoded)) if (!CONTEXT_OWN_KEYS.has(k)) contextExtras[k] = decoded[k];
        continue;
      }
      if (CONTEXT_OWN_KEYS.has(path[1]!)) continue;
      setPath((contextExtras ??= {}), path.slice(1), decoded);
      continue;
    }
    if (!isDomainSegment(top)) continue;
    setPath(fields, path, decoded);
  }
  return { fields, contextExtras };
}

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
import { boundedMemo, MAX_CACHED_ENTRIES, MAX_CACHED_KEY_LENGTH } from './cache.js';
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

/**
 * One attribute path (`repo`, `repo.full_name`, …) with the attribute keys it flattens to, built
 * once: concatenating and re-hashing the same key strings on every slice cost more than the rest
 * of flattening. Children exist only for keys that are valid path segments.
 */
interface PathNode {
  attributeKey: string;
  jsonKey: string;
  /** Valid child segments seen so far, or undefined until the first one. */
  children: Map<string, PathNode> | undefined;
  /** Children not stored because the cache was full (rebuilt on each use, still correct). */
  cached: boolean;
}

/**
 * Keys come from outside (backfilled lines too), so the tree follows cache.ts's policy: at most
 * MAX_CACHED_ENTRIES paths, each at most MAX_CACHED_KEY_LENGTH long, and the tree starts over when
 * full. A node of the old tree still in use for one lookup stays correct, and becomes garbage after.
 */
let cachedPaths = 0;
const topNodes = new Map<string, PathNode>();

function newPathNode(
  path: string,
  parent: PathNode | undefined,
  parentMap: Map<string, PathNode> | undefined,
  segment: string,
): PathNode {
  const node: PathNode = {
    attributeKey: ALAKAI_PREFIX + path,
    jsonKey: ALAKAI_JSON_PREFIX + path,
    children: undefined,
    cached: false,
  };
  if ((parent === undefined || parent.cached) && path.length <= MAX_CACHED_KEY_LENGTH) {
    if (cachedPaths >= MAX_CACHED_ENTRIES) {
      topNodes.clear();
      cachedPaths = 0;
    }
    node.cached = true;
    cachedPaths++;
    if (parent) (parent.children ??= new Map()).set(segment, node);
    else parentMap!.set(segment, node);
  }
  return node;
}

function topNode(key: string): PathNode {
  return topNodes.get(key) ?? newPathNode(key, undefined, topNodes, key);
}

/** The child node for `segment`, or undefined when it cannot be a path segment. */
function childNode(parent: PathNode, segment: string): PathNode | undefined {
  const known = parent.children?.get(segment);
  if (known) return known;
  if (!isPathSegment(segment)) return undefined;
  return newPathNode(parent.attributeKey.slice(ALAKAI_PREFIX.length) + '.' + segment, parent, undefined, segment);
}

function hasNegativeZero(values: readonly unknown[]): boolean {
  for (const v of values) if (v === 0 && 1 / (v as number) < 0) return true;
  return false;
}

function flattenValue(value: unknown, node: PathNode, out: Attributes): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      out[node.attributeKey] = value;
      return;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) {
        out[node.attributeKey] = value;
        return;
      }
      break;
    case 'object':
      if (Array.isArray(value)) {
        if (isHomogeneousPrimitiveArray(value) && !hasNegativeZero(value)) {
          out[node.attributeKey] = value.slice() as AttributeValue;
          return;
        }
        break;
      }
      if (isPlainObject(value)) {
        const keys = Object.keys(value);
        let segments = keys.length > 0;
        for (let i = 0; segments && i < keys.length; i++) segments = childNode(node, keys[i]!) !== undefined;
        if (segments) {
          for (const k of keys) flattenValue(value[k], childNode(node, k)!, out);
          return;
        }
      }
      break;
    default:
      return; // undefined, functions: not JSON, nothing to carry
  }
  out[node.jsonKey] = JSON.stringify(value);
}

/** Adds the attributes of the event's domain fields `keys` (and of extra `context` keys) to `out`. */
export function flattenDomain(event: Record<string, unknown>, keys: readonly string[], out: Attributes): void {
  let bucket: Record<string, unknown> | undefined;
  for (const k of keys) {
    const value = event[k];
    if (value === undefined || RESERVED_FIELDS.has(k)) continue;
    if (isDomainSegment(k)) flattenValue(value, topNode(k), out);
    else (bucket ??= Object.create(null) as Record<string, unknown>)[k] = value;
  }
  if (bucket) out[ALAKAI_JSON_BUCKET] = JSON.stringify(bucket);
  const context = event[CONTEXT];
  if (isPlainObject(context)) {
    let extras: Record<string, unknown> | undefined;
    for (const k of Object.keys(context)) {
      if (!CONTEXT_OWN_KEYS.has(k) && context[k] !== undefined) (extras ??= {})[k] = context[k];
    }
    if (extras) flattenValue(extras, topNode(CONTEXT), out);
  }
}

export interface UnflattenedDomain {
  /** Domain fields in attribute order (plain objects). */
  fields: Record<string, unknown>;
  /** Extra keys of `context` (besides trace_id and component). */
  contextExtras: Record<string, unknown> | undefined;
  /**
   * The attribute keys the domain fields came from, in attribute order, when flattenDomain of
   * `fields` gives exactly these keys back with the same values in the same order; otherwise
   * undefined. With it, spans → event copies those attributes instead of flattening the fields it
   * has just built from them a second time (see reflattensExactly below for the proof's parts).
   */
  reflattened: string[] | undefined;
}

/**
 * Sets `value` at `path` under `root`. Returns how many leading segments of `path` were objects
 * already (0 for a new top-level field), or -1 when a different value already holds the place.
 */
function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown): number {
  let node = root;
  let existing = 0;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    if (Object.hasOwn(node, seg)) {
      if (existing === i) existing++;
    } else node[seg] = {};
    const next = node[seg];
    if (!isPlainObject(next)) return -1;
    node = next;
  }
  const last = path[path.length - 1]!;
  if (Object.hasOwn(node, last)) return -1;
  node[last] = value;
  return existing;
}

/**
 * Does flattenValue write `value` back as the very same attribute value under its plain key?
 * Exactly the values it does not turn into JSON text (see flattenValue).
 */
function flattensAsItself(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      return Array.isArray(value) && isHomogeneousPrimitiveArray(value) && !hasNegativeZero(value);
    default:
      return false;
  }
}

/**
 * Object.keys lists integer-like keys first, whatever their insertion order; a path segment that
 * could be one (it starts with a digit) would make flattenDomain's order differ from the span's.
 */
function mayBeIndexKey(segment: string): boolean {
  const c = segment.charCodeAt(0);
  return c >= 48 && c <= 57;
}

function attributeToJson(value: AttributeValue): unknown {
  return Array.isArray(value) ? value.slice() : value;
}

/**
 * How one `alakai.*` attribute key maps back into the event, parsed once per key: a service uses
 * the same few keys on every slice, and re-checking their segments on every slice was most of
 * unflattenDomain's time. `undefined` in the cache means "not a domain key: skip".
 */
type KeyPlan =
  | { kind: 'bucket' }
  | { kind: 'context-whole'; json: boolean }
  | { kind: 'context'; json: boolean; path: readonly string[] }
  | { kind: 'domain'; json: boolean; path: readonly string[] };

const BUCKET_PLAN: KeyPlan = { kind: 'bucket' };
function parseKeyPlan(key: string): KeyPlan | undefined {
  let rest = key.slice(ALAKAI_PREFIX.length);
  if (rest === 'json') return BUCKET_PLAN;
  const json = rest.startsWith('json.');
  if (json) rest = rest.slice(5);
  const path = rest.split('.');
  if (!path.every(isPathSegment)) return undefined;
  const top = path[0]!;
  if (top === CONTEXT) {
    if (path.length === 1) return { kind: 'context-whole', json };
    if (CONTEXT_OWN_KEYS.has(path[1]!)) return undefined;
    return { kind: 'context', json, path: path.slice(1) };
  }
  if (!isDomainSegment(top)) return undefined;
  return { kind: 'domain', json, path };
}

/** Keys come from outside (backfilled lines too): cached by cache.ts's policy. */
const keyPlanOf = boundedMemo(MAX_CACHED_ENTRIES, parseKeyPlan, MAX_CACHED_KEY_LENGTH);

/**
 * Inverse of flattenDomain: domain fields and context extras from a span's `alakai.*` attributes.
 * Attributes that do not fit (bad JSON, a path already taken) are skipped; the bridge extension
 * carries them separately, so nothing is lost for bridged slices.
 *
 * In the same pass it proves, when it can, that flattenDomain(fields) would give back exactly the
 * domain attributes read (`reflattened`): every one is a plain (not JSON) domain key whose value
 * flattens as itself, no segment can be an integer-like key, and each attribute extends the subtree
 * the previous one was in — that is, it lies under the deepest already existing object of its path
 * the previous attribute also lay under — so the depth-first walk of flattenDomain meets the leaves
 * in attribute order. Anything else (JSON text, the bucket, context extras, a taken path) leaves
 * `reflattened` undefined and the caller flattens as before.
 */
export function unflattenDomain(attributes: Attributes): UnflattenedDomain {
  const fields: Record<string, unknown> = {};
  let contextExtras: Record<string, unknown> | undefined;
  let reflattened: string[] | undefined = [];
  let previousPath: readonly string[] = [];
  for (const key of Object.keys(attributes)) {
    if (!key.startsWith(ALAKAI_PREFIX)) continue;
    const plan = keyPlanOf(key);
    if (plan === undefined) continue;
    const value = attributes[key]!;
    if (plan.kind === 'bucket') {
      reflattened = undefined;
      if (typeof value !== 'string') continue;
      const parsed = parseJsonSafely(value);
      if (!parsed.ok || !isPlainObject(parsed.value)) continue;
      for (const k of Object.keys(parsed.value)) {
        if (!RESERVED_FIELDS.has(k) && !HOSTILE_KEYS.has(k) && !Object.hasOwn(fields, k)) fields[k] = parsed.value[k];
      }
      continue;
    }
    let decoded: unknown;
    if (plan.json) {
      reflattened = undefined;
      if (typeof value !== 'string') continue;
      const parsed = parseJsonSafely(value);
      if (!parsed.ok) continue;
      decoded = parsed.value;
    } else {
      decoded = attributeToJson(value);
    }
    if (plan.kind === 'context-whole') {
      reflattened = undefined;
      // The whole extras object as JSON text (its keys were not path segments).
      if (!isPlainObject(decoded) || contextExtras) continue;
      contextExtras = {};
      for (const k of Object.keys(decoded)) if (!CONTEXT_OWN_KEYS.has(k)) contextExtras[k] = decoded[k];
      continue;
    }
    if (plan.kind === 'context') {
      reflattened = undefined;
      setPath((contextExtras ??= {}), plan.path, decoded);
      continue;
    }
    const existing = setPath(fields, plan.path, decoded);
    if (reflattened === undefined) continue;
    if (existing < 0 || !flattensAsItself(value) || !extendsSubtree(previousPath, plan.path, existing))
      reflattened = undefined;
    else {
      reflattened.push(key);
      previousPath = plan.path;
    }
  }
  return { fields, contextExtras, reflattened };
}

/** The reflattening conditions on one path: see unflattenDomain. */
function extendsSubtree(previous: readonly string[], path: readonly string[], existing: number): boolean {
  for (let i = 0; i < path.length; i++) if (mayBeIndexKey(path[i]!)) return false;
  for (let i = 0; i < existing; i++) if (previous[i] !== path[i]) return false;
  return true;
}

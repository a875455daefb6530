/**
 * Guards for JSON from outside. `JSON.parse` itself defines `__proto__` as a plain own property,
 * so parsing is safe; the danger is code that later copies such keys with `obj[key] = …` or reads
 * `obj.constructor`. We reject input that carries them at all (docs/summary-event-format.md,
 * "Hostile input"): no real summary event has such a key, and a visible rejection is better than
 * a silently altered event.
 */

export const HOSTILE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
export const MAX_JSON_DEPTH = 64;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Cheap pre-filter: a line without these substrings cannot hold a hostile key. */
export function mayHoldHostileKey(text: string): boolean {
  // "__proto__" and "prototype" both contain "proto": two scans instead of three.
  return text.includes('proto') || text.includes('constructor');
}

export type JsonDefect =
  | { defect: 'hostile_key'; path: string }
  | { defect: 'too_deep'; path: string }
  | { defect: 'value_too_long'; path: string };

type Defect = JsonDefect['defect'];

/**
 * The walk itself: the defect and the keys from the defect up to `value`, innermost first.
 * Paths are only built once a defect is found: the validator walks every domain field of every
 * event, and building a path string per key visited was garbage on the backfill's hot path.
 */
function walk(value: unknown, maxString: number, depth: number): { defect: Defect; keys: string[] } | undefined {
  if (typeof value === 'string') {
    return value.length > maxString ? { defect: 'value_too_long', keys: [] } : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_JSON_DEPTH) return { defect: 'too_deep', keys: [] };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const d = walk(value[i], maxString, depth + 1);
      if (d) return d; // array indexes are not part of the path
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (HOSTILE_KEYS.has(key)) return { defect: 'hostile_key', keys: [key] };
    const d = walk((value as Record<string, unknown>)[key], maxString, depth + 1);
    if (d) {
      d.keys.push(key);
      return d;
    }
  }
  return undefined;
}

/**
 * Walks a parsed JSON value: hostile keys, nesting depth, and (optionally) string length.
 * Recursion is bounded by MAX_JSON_DEPTH, so it cannot overflow the stack. `path` is the dotted
 * key path of the defect below `path` (array indexes left out).
 */
export function findJsonDefect(value: unknown, maxString: number, path = '', depth = 0): JsonDefect | undefined {
  const found = walk(value, maxString, depth);
  if (!found) return undefined;
  let at = path;
  for (let i = found.keys.length - 1; i >= 0; i--) at = at ? `${at}.${found.keys[i]!}` : found.keys[i]!;
  return { defect: found.defect, path: at };
}

/** JSON.parse that never throws and refuses hostile keys / excessive depth. */
export function parseJsonSafely(text: string): { ok: true; value: unknown } | { ok: false } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  if (typeof value === 'object' && value !== null && findJsonDefect(value, Infinity)) return { ok: false };
  return { ok: true, value };
}

/**
 * The one cache policy of the contract and the SDK. Caches here hold text or plans built from keys
 * that come from the input (attribute keys, step and field names, service/component pairs), so:
 *
 * - **Keyed by text: bounded, cleared when full.** At most `max` entries; the next new key starts
 *   the cache over. The same few keys repeat on every span, so they are back after a few lines,
 *   while hostile input cannot grow the cache for ever. Keys longer than `maxKeyLength` are built
 *   each time and never stored. A Map, not an object, so keys such as `__proto__` are plain keys.
 * - **Keyed by object: by identity, for objects that never change.** A WeakMap, so the cache lives
 *   as long as its key. Only for keys that cannot change after they are made: frozen ones (checked,
 *   `whenFrozen`), or ones immutable by their own contract (the caller says why).
 */

export const MAX_CACHED_ENTRIES = 4096;
export const MAX_CACHED_KEY_LENGTH = 256;

/** A Map bounded by the policy above: `set` beyond `max` entries clears it first. */
export class BoundedMap<V> {
  private readonly map = new Map<string, V>();

  constructor(
    private readonly max: number = MAX_CACHED_ENTRIES,
    private readonly maxKeyLength: number = Number.POSITIVE_INFINITY,
  ) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, value: V): void {
    if (key.length > this.maxKeyLength) return;
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, value);
  }
}

/**
 * `build(key)`, built once per key while it stays cached: the BoundedMap policy (bounded, cleared
 * when full, long keys never stored), written over a Map directly: a hit is one Map lookup (it runs
 * per attribute on the backfill's path). A built value of undefined is not cached (none of the
 * contract's builders returns one).
 */
export function boundedMemo<T>(
  max: number,
  build: (key: string) => T,
  maxKeyLength: number = Number.POSITIVE_INFINITY,
): (key: string) => T {
  const memo = new Map<string, T>();
  return (key) => {
    let value = memo.get(key);
    if (value === undefined) {
      value = build(key);
      if (key.length <= maxKeyLength) {
        if (memo.size >= max) memo.clear();
        memo.set(key, value);
      }
    }
    return value;
  };
}

/** Caches a key when it is frozen: Object.freeze says the object will not change. */
export function whenFrozen(key: object): boolean {
  return Object.isFrozen(key);
}

/**
 * `build(key)` cached by the key's identity, for keys `cacheable` says never change; other keys
 * are built each time. Without `cacheable`, every key is cached: the caller's contract must make
 * its keys immutable (say which in a comment).
 */
export function identityMemo<K extends object, V>(
  build: (key: K) => V,
  cacheable?: (key: K) => boolean,
): (key: K) => V {
  const memo = new WeakMap<K, V>();
  return (key) => {
    if (cacheable && !cacheable(key)) return build(key);
    let value = memo.get(key);
    if (value === undefined && !memo.has(key)) {
      value = build(key);
      memo.set(key, value);
    }
    return value as V;
  };
}

/**
 * `build(key)` cached by the key's identity for keys that do change, but say when: the value is
 * built again whenever `versionOf(key)` differs from the version it was built for. A version of
 * undefined means the key cannot tell, and nothing is cached for it.
 */
export function versionedMemo<K extends object, V>(
  versionOf: (key: K) => unknown,
  build: (key: K) => V,
): (key: K) => V {
  const memo = new WeakMap<K, { version: unknown; value: V }>();
  return (key) => {
    const version = versionOf(key);
    const cached = memo.get(key);
    if (cached && version !== undefined && cached.version === version) return cached.value;
    const value = build(key);
    if (version !== undefined) memo.set(key, { version, value });
    return value;
  };
}

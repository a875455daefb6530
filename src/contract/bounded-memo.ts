/**
 * A memo for text built from a key that comes from the input (an attribute key, a step or field
 * name): the same few keys repeat on every span, so each is built once, and at most `max` are
 * kept — when full it starts over, so hostile input cannot grow it for ever. A Map, not an object,
 * so keys such as `__proto__` are plain keys.
 */
export function boundedMemo<T>(max: number, build: (key: string) => T): (key: string) => T {
  const memo = new Map<string, T>();
  return (key) => {
    let value = memo.get(key);
    if (value === undefined) {
      if (memo.size >= max) memo.clear();
      value = build(key);
      memo.set(key, value);
    }
    return value;
  };
}

/**
 * Milliseconds → ISO 8601 text (`2026-05-05T12:06:50.769Z`), the same as `Date#toISOString`.
 * toISOString costs about 0.7 µs, a tenth of building a summary event; consecutive events mostly
 * end within the same second, so the text up to the second is kept for the last second seen.
 */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** `ms` must be an integer within Date's range (±8.64e15); callers clamp it. */
export function isoOfMs(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    // Everything up to and including the '.' before the milliseconds (years past 9999 are longer).
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    cachedSecond = second;
  }
  const rest = ms - second * 1000;
  return cachedPrefix + (rest < 10 ? '00' : rest < 100 ? '0' : '') + rest + 'Z';
}

/** `time` normalization shared by summary events and step-level log lines. */

const ISO_MS_UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Loose ISO 8601 shape accepted for normalization (seconds or fractions, Z or an offset). */
const ISO_LOOSE_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const MAX_DATE_MS = 8.64e15;

export interface NormalizedTime {
  iso: string;
  ms: number;
}

/**
 * ISO 8601 with milliseconds in UTC is kept; other ISO 8601 forms and epoch milliseconds (pino's
 * default `time`) are rewritten to it. Anything else, or a time before 1970, is refused.
 */
export function normalizeTime(value: unknown): NormalizedTime | undefined {
  let ms: number;
  if (typeof value === 'string') {
    if (value.length > 40) return undefined;
    if (!ISO_MS_UTC_RE.test(value) && !ISO_LOOSE_RE.test(value)) return undefined;
    ms = Date.parse(value.length > 10 && value[10] === ' ' ? `${value.slice(0, 10)}T${value.slice(11)}` : value);
  } else if (typeof value === 'number') {
    ms = Math.floor(value);
  } else {
    return undefined;
  }
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_DATE_MS) return undefined;
  return { iso: new Date(ms).toISOString(), ms };
}

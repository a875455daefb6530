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
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

/**
 * The canonical form is what almost every line carries: checked field by field and computed with
 * Date.UTC, which is several times cheaper than Date.parse + toISOString on the backfill's hot path.
 */
function canonicalIsoMs(value: string): number | undefined {
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  const hour = digits(value, 11, 13);
  const minute = digits(value, 14, 16);
  const second = digits(value, 17, 19);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, digits(value, 20, 23));
}

/**
 * Date.parse for a time already normalized (the canonical form): the same number, computed
 * without the general parser — the backfill reads the time of every event it converts.
 * Anything not in the canonical form, or not a real date, goes to Date.parse as before.
 */
export function parseNormalizedTime(value: string): number {
  if (value.length === 24 && ISO_MS_UTC_RE.test(value)) {
    const canonical = canonicalIsoMs(value);
    if (canonical !== undefined) return canonical;
  }
  return Date.parse(value);
}

export function normalizeTime(value: unknown): NormalizedTime | undefined {
  let ms: number;
  if (typeof value === 'string' && value.length === 24 && ISO_MS_UTC_RE.test(value)) {
    const canonical = canonicalIsoMs(value);
    if (canonical !== undefined && canonical <= MAX_DATE_MS) return { iso: value, ms: canonical };
  }
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

/**
 * The order `sort` puts values in, as the sort page documents it: all non-number values before
 * all number values; non-numbers compared in chunks of digits and of other characters, digit
 * chunks by length and then value, the rest by Unicode code point; descending is the reverse.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Sort.html
 *
 * Missing fields: the page does not say. Here they come last in both directions, so a `limit`
 * never fills with rows that lack the sort field.
 */
import { asNumber, asText, type Value } from './values.js';

const CHUNK = /\d+|\D+/g;
const DIGIT_VALUE = /^\d+$/;

function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.codePointAt(i)! - b.codePointAt(i)!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function chunkCompare(a: string, b: string): number {
  const ca = a.match(CHUNK) ?? [];
  const cb = b.match(CHUNK) ?? [];
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i]!;
    const y = cb[i]!;
    if (DIGIT_VALUE.test(x) && DIGIT_VALUE.test(y)) {
      const d = x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
      if (d !== 0) return d;
    } else {
      const d = codePointCompare(x, y);
      if (d !== 0) return d;
    }
  }
  return ca.length - cb.length;
}

/** Ascending order of two present values. */
export function naturalCompare(a: Value, b: Value): number {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined && nb !== undefined) return na - nb;
  if (na !== undefined) return 1;
  if (nb !== undefined) return -1;
  return chunkCompare(asText(a) ?? '', asText(b) ?? '');
}

/** A comparator for one sort key: missing values last whichever the direction. */
export function sortKeyCompare(a: Value, b: Value, descending: boolean): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  const d = naturalCompare(a, b);
  return descending ? -d : d;
}

/**
 * Field values as the engine sees them, and how a log event's fields are found.
 *
 * CloudWatch Logs Insights discovers the fields of a JSON log event and names nested ones with
 * dots (`context.component`, `error.type`); array elements are numbered the same way.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html
 * An object or array itself is not a field value (only its leaves are), so `steps` alone is missing.
 */

/** A field's value; undefined is "the event has no such field". */
export type Value = string | number | boolean | null | undefined;

/**
 * Looks `a.b.c` up in a parsed JSON object: nested first, then a key that itself holds dots.
 * Only own properties are read (JSON.parse makes `__proto__` an ordinary own key), so no lookup
 * can reach Object.prototype.
 */
export function lookupPath(root: unknown, path: string): Value {
  if (typeof root !== 'object' || root === null) return undefined;
  let node: unknown = root;
  let start = 0;
  while (start <= path.length) {
    if (typeof node !== 'object' || node === null) return undefined;
    const rest = path.slice(start);
    // A key holding the whole rest (dots included) wins: `{"a.b": 1}` is field a.b too.
    if (Object.hasOwn(node, rest)) return leaf((node as Record<string, unknown>)[rest]);
    const dot = path.indexOf('.', start);
    if (dot === -1) return undefined;
    const key = path.slice(start, dot);
    if (!Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
    start = dot + 1;
  }
  return undefined;
}

function leaf(v: unknown): Value {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : undefined;
}

const NUMERIC = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

/** The number a value stands for (a JSON number, or a string of one), else undefined. */
export function asNumber(v: Value): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.length <= 64 && NUMERIC.test(v)) return Number(v);
  return undefined;
}

/** The text a value is compared and printed as. */
export function asText(v: Value): string | undefined {
  if (v === undefined) return undefined;
  if (v === null) return 'null';
  return typeof v === 'string' ? v : String(v);
}

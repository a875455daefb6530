/**
 * The bridge extension's `otel` field: one JSON text holding what a bridged summary event needs,
 * beyond the guide's fields, to rebuild its slice span and the slice's descendant spans exactly.
 * Format, field by field, and limits: docs/summary-event-format.md.
 *
 * One string rather than many fields because Logs Insights discovers at most 200 fields per event
 * and flattens arrays per index; as a string it is one field however many spans it holds.
 */
import type { AttributeDiff } from './attribute-diff.js';
import { attributesFromJson } from './attribute-values.js';
import { isPlainObject } from './json-safety.js';
import type { Attributes, ScopeRecord, SpanKindValue, StatusCodeValue } from './span-record.js';

export const OTEL_EXTENSION_VERSION = 1;
/** At most this many descendant spans per slice; the rest are dropped and counted (`dr`). */
export const MAX_DESCENDANTS = 256;
/** The encoded `otel` text stays below this many characters (descendants are dropped to fit). */
export const MAX_EXTENSION_CHARS = 64 * 1024;

/** A span event relative to the slice start. */
export interface ExtensionEvent {
  name: string;
  offsetNs: bigint;
  attributes: Attributes;
}

export interface ExtensionDescendant {
  spanId: string;
  /** Index into [slice, ...descendants] when the parent is among them, else the parent's span id. */
  parent: number | string;
  name: string;
  kind: SpanKindValue;
  startOffsetNs: bigint;
  durationNs: bigint;
  status: { code: StatusCodeValue; message?: string };
  attributes: Attributes;
  events: ExtensionEvent[];
  /** Present only when it differs from the slice's scope. */
  scope?: ScopeRecord;
  /** Present only when the resource differs from the slice's. */
  resource?: AttributeDiff;
}

export interface OtelExtension {
  startNs: bigint;
  durationNs: bigint;
  name?: string;
  kind?: SpanKindValue;
  statusCode?: StatusCodeValue;
  /** '' means "no message" where one would be derived. */
  statusMessage?: string;
  /** Top-level domain fields that came from slice attributes (logger bindings never do). */
  domainKeys: string[];
  attributes?: AttributeDiff;
  events: ExtensionEvent[];
  resource?: AttributeDiff;
  scope?: ScopeRecord;
  descendants: ExtensionDescendant[];
  /** Descendants dropped to stay within the limits. */
  dropped: number;
  /** True when the slice's own attributes/events were left out to stay within the limits. */
  truncated: boolean;
}

// ---------------------------------------------------------------------------------------------
// Encoding. Short keys, times relative to the slice start; defaults are omitted.

/** ns offsets as JSON numbers while exact, else decimal strings. */
function nsToJson(ns: bigint): number | string {
  return ns <= 9007199254740991n && ns >= -9007199254740991n ? Number(ns) : ns.toString();
}

function diffToJson(diff: AttributeDiff | undefined): unknown[] | undefined {
  if (!diff) return undefined;
  const out: unknown[] = [diff.set ?? 0, diff.del ?? 0];
  if (diff.order) out.push(diff.order);
  else if (!diff.del) out.pop();
  return out;
}

function eventsToJson(events: readonly ExtensionEvent[]): unknown[] {
  return events.map((e) => {
    const out: unknown[] = [e.name, nsToJson(e.offsetNs)];
    if (Object.keys(e.attributes).length) out.push(e.attributes);
    return out;
  });
}

function scopeToJson(scope: ScopeRecord): unknown[] {
  return scope.version === undefined ? [scope.name] : [scope.name, scope.version];
}

function descendantToJson(d: ExtensionDescendant): unknown[] {
  const out: unknown[] = [
    d.spanId,
    d.parent,
    d.name,
    d.kind,
    nsToJson(d.startOffsetNs),
    nsToJson(d.durationNs),
    d.status.code,
    d.status.message ?? 0,
    Object.keys(d.attributes).length ? d.attributes : 0,
    d.events.length ? eventsToJson(d.events) : 0,
    d.scope ? scopeToJson(d.scope) : 0,
    diffToJson(d.resource) ?? 0,
  ];
  // Trailing defaults cost bytes on every step span: drop them.
  while (out.length > 6 && out[out.length - 1] === 0) out.pop();
  return out;
}

export function encodeOtelExtension(ext: OtelExtension): string {
  const o: Record<string, unknown> = { v: OTEL_EXTENSION_VERSION, s: ext.startNs.toString(), d: nsToJson(ext.durationNs) };
  if (ext.name !== undefined) o['n'] = ext.name;
  if (ext.kind !== undefined) o['k'] = ext.kind;
  if (ext.statusCode !== undefined) o['c'] = ext.statusCode;
  if (ext.statusMessage !== undefined) o['m'] = ext.statusMessage;
  if (ext.domainKeys.length) o['ak'] = ext.domainKeys;
  if (ext.attributes) o['a'] = diffToJson(ext.attributes);
  if (ext.events.length) o['e'] = eventsToJson(ext.events);
  if (ext.resource) o['r'] = diffToJson(ext.resource);
  if (ext.scope) o['sc'] = scopeToJson(ext.scope);
  if (ext.descendants.length) o['ch'] = ext.descendants.map(descendantToJson);
  if (ext.dropped) o['dr'] = ext.dropped;
  if (ext.truncated) o['tr'] = 1;
  return JSON.stringify(o);
}

// ---------------------------------------------------------------------------------------------
// Decoding: the text comes from a log line, so every piece is checked; any defect → undefined.

const SPAN_ID_RE = /^[0-9a-f]{16}$/;
const NS_TEXT_RE = /^-?[0-9]{1,20}$/;

class Corrupt extends Error {}

function fail(what: string): never {
  throw new Corrupt(what);
}

function nsFromJson(v: unknown, what: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && NS_TEXT_RE.test(v)) return BigInt(v);
  return fail(what);
}

function str(v: unknown, what: string): string {
  return typeof v === 'string' ? v : fail(what);
}

function kindFromJson(v: unknown): SpanKindValue {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 4 ? (v as SpanKindValue) : fail('kind');
}

function codeFromJson(v: unknown): StatusCodeValue {
  return v === 0 || v === 1 || v === 2 ? v : fail('status code');
}

function attrsFromJson(v: unknown, what: string): Attributes {
  if (v === 0 || v === undefined) return {};
  return attributesFromJson(v) ?? fail(what);
}

function stringList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) fail(what);
  return v as string[];
}

function diffFromJson(v: unknown, what: string): AttributeDiff | undefined {
  if (v === undefined || v === 0) return undefined;
  if (!Array.isArray(v) || v.length < 1 || v.length > 3) return fail(what);
  const diff: AttributeDiff = {};
  if (v[0] !== 0) diff.set = attrsFromJson(v[0], what);
  if (v[1] !== undefined && v[1] !== 0) diff.del = stringList(v[1], what);
  if (v[2] !== undefined) {
    const order = v[2];
    if (!Array.isArray(order) || !order.every((x) => Number.isSafeInteger(x) && x >= 0)) fail(what);
    diff.order = order as number[];
  }
  return diff;
}

function eventsFromJson(v: unknown, what: string): ExtensionEvent[] {
  if (v === undefined || v === 0) return [];
  if (!Array.isArray(v)) return fail(what);
  return v.map((e) => {
    if (!Array.isArray(e) || e.length < 2 || e.length > 3) fail(what);
    return { name: str(e[0], what), offsetNs: nsFromJson(e[1], what), attributes: attrsFromJson(e[2], what) };
  });
}

function scopeFromJson(v: unknown, what: string): ScopeRecord | undefined {
  if (v === undefined || v === 0) return undefined;
  if (!Array.isArray(v) || v.length < 1 || v.length > 2) return fail(what);
  const scope: ScopeRecord = { name: str(v[0], what) };
  if (v.length === 2) scope.version = str(v[1], what);
  return scope;
}

function descendantFromJson(v: unknown, index: number): ExtensionDescendant {
  const what = `descendant ${index}`;
  if (!Array.isArray(v) || v.length < 6 || v.length > 12) fail(what);
  const spanId = str(v[0], what);
  if (!SPAN_ID_RE.test(spanId) || spanId === '0000000000000000') fail(`${what} span id`);
  const parent = v[1];
  const parentOk =
    (typeof parent === 'number' && Number.isInteger(parent) && parent >= 0 && parent !== index + 1) ||
    (typeof parent === 'string' && SPAN_ID_RE.test(parent));
  if (!parentOk) fail(`${what} parent`);
  const status: ExtensionDescendant['status'] = { code: v[6] === undefined ? 0 : codeFromJson(v[6]) };
  if (v[7] !== undefined && v[7] !== 0) status.message = str(v[7], what);
  const d: ExtensionDescendant = {
    spanId,
    parent: parent as number | string,
    name: str(v[2], what),
    kind: kindFromJson(v[3]),
    startOffsetNs: nsFromJson(v[4], what),
    durationNs: nsFromJson(v[5], what),
    status,
    attributes: attrsFromJson(v[8], what),
    events: eventsFromJson(v[9], what),
  };
  const scope = scopeFromJson(v[10], what);
  if (scope) d.scope = scope;
  const resource = diffFromJson(v[11], what);
  if (resource) d.resource = resource;
  return d;
}

export type DecodedExtension = { ok: true; extension: OtelExtension } | { ok: false; detail: string };

export function decodeOtelExtension(text: string): DecodedExtension {
  if (typeof text !== 'string' || text.length > MAX_EXTENSION_CHARS * 2) return { ok: false, detail: 'too large' };
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return { ok: false, detail: 'not JSON' };
  }
  if (!isPlainObject(o)) return { ok: false, detail: 'not an object' };
  if (o['v'] !== OTEL_EXTENSION_VERSION) return { ok: false, detail: `unknown version ${String(o['v'])}` };
  try {
    const ext: OtelExtension = {
      startNs: nsFromJson(o['s'], 'start'),
      durationNs: nsFromJson(o['d'], 'duration'),
      domainKeys: o['ak'] === undefined ? [] : stringList(o['ak'], 'domain keys'),
      events: eventsFromJson(o['e'], 'events'),
      descendants: [],
      dropped: o['dr'] === undefined ? 0 : Number.isSafeInteger(o['dr']) ? (o['dr'] as number) : fail('dropped'),
      truncated: o['tr'] === 1,
    };
    if (ext.startNs < 0n) fail('start');
    if (o['n'] !== undefined) ext.name = str(o['n'], 'name');
    if (o['k'] !== undefined) ext.kind = kindFromJson(o['k']);
    if (o['c'] !== undefined) ext.statusCode = codeFromJson(o['c']);
    if (o['m'] !== undefined) ext.statusMessage = str(o['m'], 'status message');
    const attributes = diffFromJson(o['a'], 'attributes');
    if (attributes) ext.attributes = attributes;
    const resource = diffFromJson(o['r'], 'resource');
    if (resource) ext.resource = resource;
    const scope = scopeFromJson(o['sc'], 'scope');
    if (scope) ext.scope = scope;
    const ch = o['ch'];
    if (ch !== undefined) {
      if (!Array.isArray(ch) || ch.length > MAX_DESCENDANTS) fail('descendants');
      ext.descendants = ch.map(descendantFromJson);
      for (const d of ext.descendants) if (typeof d.parent === 'number' && d.parent > ch.length) fail('descendant parent');
    }
    return { ok: true, extension: ext };
  } catch (err) {
    if (err instanceof Corrupt) return { ok: false, detail: err.message };
    return { ok: false, detail: 'corrupt' };
  }
}

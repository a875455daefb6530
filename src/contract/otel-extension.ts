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
import { quoteJson } from './json-quote.js';
import { isPlainObject } from './json-safety.js';
import { isValidSpanId, SPAN_ID_RE } from './span-id.js';
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

// The text is written directly rather than built as arrays and objects for JSON.stringify: that
// intermediate tree and its serialization were a fifth of building a summary event. The output is
// byte-for-byte what JSON.stringify of the tree gave, so lines are the same before and after.

const MAX_EXACT_NS = 9007199254740991n;

/** ns offsets as JSON numbers while exact, else decimal strings. */
function nsJson(ns: bigint): string {
  return ns <= MAX_EXACT_NS && ns >= -MAX_EXACT_NS ? String(Number(ns)) : '"' + ns.toString() + '"';
}

/** A string as JSON.stringify quotes it (json-quote.ts). */
const quote = quoteJson;

/** A value as JSON.stringify writes it inside an array (undefined, functions, symbols become null). */
function valueJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let text = '[';
        for (let i = 0; i < value.length; i++) text += (i ? ',' : '') + valueJson(value[i]);
        return text + ']';
      }
      return JSON.stringify(value) ?? 'null';
    case 'bigint':
      return JSON.stringify(value); // throws, as JSON.stringify of the whole tree did
    default:
      return 'null';
  }
}

/** An attribute map as JSON.stringify writes it (own enumerable keys; members it leaves out skipped). */
function attributesJson(attributes: Attributes): string {
  let text = '{';
  let first = true;
  for (const key of Object.keys(attributes)) {
    const value: unknown = attributes[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    text += (first ? '' : ',') + quote(key) + ':' + valueJson(value);
    first = false;
  }
  return text + '}';
}

function diffJson(diff: AttributeDiff): string {
  let text = '[' + (diff.set ? attributesJson(diff.set) : '0');
  if (diff.order) text += ',' + (diff.del ? valueJson(diff.del) : '0') + ',' + valueJson(diff.order);
  else if (diff.del) text += ',' + valueJson(diff.del);
  return text + ']';
}

function eventsJson(events: readonly ExtensionEvent[]): string {
  let text = '[';
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    text += (i ? ',[' : '[') + valueJson(e.name) + ',' + nsJson(e.offsetNs);
    if (Object.keys(e.attributes).length) text += ',' + attributesJson(e.attributes);
    text += ']';
  }
  return text + ']';
}

function scopeJson(scope: ScopeRecord): string {
  return '[' + valueJson(scope.name) + (scope.version === undefined ? ']' : ',' + valueJson(scope.version) + ']');
}

function descendantJson(d: ExtensionDescendant): string {
  let text =
    '[' +
    valueJson(d.spanId) +
    ',' +
    valueJson(d.parent) +
    ',' +
    valueJson(d.name) +
    ',' +
    valueJson(d.kind) +
    ',' +
    nsJson(d.startOffsetNs) +
    ',' +
    nsJson(d.durationNs);
  // Positions 6–11 are 0 at their default; trailing defaults cost bytes on every step span, so
  // they are left out.
  const status = d.status.code === 0 ? '0' : valueJson(d.status.code);
  const message = d.status.message !== undefined && d.status.message !== null ? valueJson(d.status.message) : '0';
  const attributes = Object.keys(d.attributes).length ? attributesJson(d.attributes) : '0';
  const events = d.events.length ? eventsJson(d.events) : '0';
  const scope = d.scope ? scopeJson(d.scope) : '0';
  const resource = d.resource ? diffJson(d.resource) : '0';
  const last =
    resource !== '0'
      ? 6
      : scope !== '0'
        ? 5
        : events !== '0'
          ? 4
          : attributes !== '0'
            ? 3
            : message !== '0'
              ? 2
              : status !== '0'
                ? 1
                : 0;
  if (last >= 1) text += ',' + status;
  if (last >= 2) text += ',' + message;
  if (last >= 3) text += ',' + attributes;
  if (last >= 4) text += ',' + events;
  if (last >= 5) text += ',' + scope;
  if (last >= 6) text += ',' + resource;
  return text + ']';
}

export function encodeOtelExtension(ext: OtelExtension): string {
  let text = '{"v":' + OTEL_EXTENSION_VERSION + ',"s":"' + ext.startNs.toString() + '","d":' + nsJson(ext.durationNs);
  if (ext.name !== undefined) text += ',"n":' + valueJson(ext.name);
  if (ext.kind !== undefined) text += ',"k":' + valueJson(ext.kind);
  if (ext.statusCode !== undefined) text += ',"c":' + valueJson(ext.statusCode);
  if (ext.statusMessage !== undefined) text += ',"m":' + valueJson(ext.statusMessage);
  if (ext.domainKeys.length) text += ',"ak":' + valueJson(ext.domainKeys);
  if (ext.attributes) text += ',"a":' + diffJson(ext.attributes);
  if (ext.events.length) text += ',"e":' + eventsJson(ext.events);
  if (ext.resource) text += ',"r":' + diffJson(ext.resource);
  if (ext.scope) text += ',"sc":' + scopeJson(ext.scope);
  if (ext.descendants.length) {
    text += ',"ch":[';
    for (let i = 0; i < ext.descendants.length; i++) text += (i ? ',' : '') + descendantJson(ext.descendants[i]!);
    text += ']';
  }
  if (ext.dropped) text += ',"dr":' + valueJson(ext.dropped);
  if (ext.truncated) text += ',"tr":1';
  return text + '}';
}

// ---------------------------------------------------------------------------------------------
// Decoding: the text comes from a log line, so every piece is checked; any defect → undefined.

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
  return v;
}

function diffFromJson(v: unknown, what: string): AttributeDiff | undefined {
  if (v === undefined || v === 0) return undefined;
  if (!Array.isArray(v) || v.length < 1 || v.length > 3) return fail(what);
  const diff: AttributeDiff = {};
  if (v[0] !== 0) diff.set = attrsFromJson(v[0], what);
  if (v[1] !== undefined && v[1] !== 0) diff.del = stringList(v[1], what);
  if (v[2] !== undefined) {
    const order: unknown = v[2];
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
  if (!isValidSpanId(spanId)) fail(`${what} span id`);
  const parent: unknown = v[1];
  const parentOk =
    (typeof parent === 'number' && Number.isInteger(parent) && parent >= 0 && parent !== index + 1) ||
    (typeof parent === 'string' && SPAN_ID_RE.test(parent));
  if (!parentOk) fail(`${what} parent`);
  const status: ExtensionDescendant['status'] = { code: v[6] === undefined ? 0 : codeFromJson(v[6]) };
  if (v[7] !== undefined && v[7] !== 0) status.message = str(v[7], what);
  const d: ExtensionDescendant = {
    spanId,
    parent: parent,
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
      for (const d of ext.descendants)
        if (typeof d.parent === 'number' && d.parent > ch.length) fail('descendant parent');
    }
    return { ok: true, extension: ext };
  } catch (err) {
    if (err instanceof Corrupt) return { ok: false, detail: err.message };
    return { ok: false, detail: 'corrupt' };
  }
}

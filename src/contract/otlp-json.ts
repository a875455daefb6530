/**
 * OTLP/JSON encoding of SpanRecords: one ExportTraceServiceRequest per call, the shape that
 * `@opentelemetry/exporter-trace-otlp-http` sends and the Collector's `file` exporter writes one per
 * line (and its `otlpjsonfile` receiver replays). Per the OTLP/JSON spec, ids are lowercase hex,
 * 64-bit integers (times, intValue) are decimal strings and enums are integers.
 * https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 *
 * Deterministic on purpose: the same SpanRecords always give the same bytes, because Jaeger only
 * drops a re-sent span as a duplicate when it hashes identically (DESIGN.md, "Round trip").
 */
import type { AttributeValue, Attributes, ScopeRecord, SpanRecord } from './span-record.js';
import { setOwnAttribute } from './attribute-values.js';
import { boundedMemo, identityMemo, MAX_CACHED_ENTRIES, whenFrozen } from './cache.js';
import { isBareJsonString } from './json-quote.js';
import { isPlainObject } from './json-safety.js';
import { spanFlags } from './span-flags.js';
import { SPAN_ID_RE } from './span-id.js';

type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } };

interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

function encodeValue(value: AttributeValue): OtlpAnyValue {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((v) => encodeValue(v)) } };
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    default:
      return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  }
}

export function encodeAttributes(attributes: Attributes): OtlpKeyValue[] {
  return Object.keys(attributes).map((key) => ({ key, value: encodeValue(attributes[key]!) }));
}

function encodeSpan(span: SpanRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    traceId: span.traceId,
    spanId: span.spanId,
  };
  if (span.parentSpanId) out['parentSpanId'] = span.parentSpanId;
  out['name'] = span.name;
  out['kind'] = span.kind + 1; // OTLP SpanKind: UNSPECIFIED = 0, INTERNAL = 1, ...
  out['flags'] = spanFlags(span);
  out['startTimeUnixNano'] = span.startTimeUnixNano.toString();
  out['endTimeUnixNano'] = span.endTimeUnixNano.toString();
  out['attributes'] = encodeAttributes(span.attributes);
  out['events'] = span.events.map((e) => ({
    timeUnixNano: e.timeUnixNano.toString(),
    name: e.name,
    attributes: encodeAttributes(e.attributes),
  }));
  const status: Record<string, unknown> = { code: span.status.code };
  if (span.status.message) status['message'] = span.status.message;
  out['status'] = status;
  return out;
}

function scopeKey(scope: ScopeRecord): string {
  return `${scope.name}\u0000${scope.version ?? ''}`;
}

/** Identity of a resource by content, so equal resources from different objects group together. */
export function resourceKey(resource: Attributes): string {
  return JSON.stringify(
    Object.keys(resource)
      .sort()
      .map((k) => [k, resource[k]]),
  );
}

interface ResourceGroup {
  resource: Attributes;
  scopes: Map<string, { scope: ScopeRecord; spans: SpanRecord[] }>;
}

/** A request's shape: resources by content, then scopes, each in order of first appearance. */
function groupByResourceAndScope(spans: readonly SpanRecord[]): Iterable<ResourceGroup> {
  const byResource = new Map<string, ResourceGroup>();
  for (const span of spans) {
    const rk = cachedResourceKey(span.resource);
    let r = byResource.get(rk);
    if (!r) byResource.set(rk, (r = { resource: span.resource, scopes: new Map() }));
    const sk = scopeKey(span.scope);
    let s = r.scopes.get(sk);
    if (!s) r.scopes.set(sk, (s = { scope: span.scope, spans: [] }));
    s.spans.push(span);
  }
  return byResource.values();
}

/** Builds one ExportTraceServiceRequest object; groups by resource, then scope, in input order. */
export function toOtlpRequest(spans: readonly SpanRecord[]): { resourceSpans: unknown[] } {
  return {
    resourceSpans: [...groupByResourceAndScope(spans)].map((r) => ({
      resource: { attributes: encodeAttributes(r.resource) },
      scopeSpans: [...r.scopes.values()].map((s) => ({
        scope:
          s.scope.version === undefined ? { name: s.scope.name } : { name: s.scope.name, version: s.scope.version },
        spans: s.spans.map(encodeSpan),
      })),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// The line writer. The backfill writes one line per trace, millions of them: building the object
// tree above and then stringifying it was a fifth of the backfill's CPU and much of its garbage
// (issue 6 profile). encodeOtlpJsonLine writes the same text directly instead. It must stay
// byte-identical to JSON.stringify(toOtlpRequest(spans)) (a property test holds it to that):
// every string goes through JSON.stringify, the key order is the object tree's, and any value
// outside the SpanRecord types is encoded through the object path so it serializes the same way.

/**
 * Frozen resources (the shared per-component ones) never change: their key and text are cached
 * (cache.ts, whenFrozen). Object.freeze is shallow, so this treats the array values of a frozen
 * resource as fixed too — true of every resource the bridge freezes (resource.ts builds them once
 * and shares them).
 */
const cachedResourceKey = identityMemo((resource: Attributes) => resourceKey(resource), whenFrozen);

/**
 * The text before an attribute's value, per key, joined with whatever must come before it: the
 * list's `[` (first attribute), or the end of the previous attribute (`}}` after a string value,
 * `}` after any other) and a comma — and for string values (most of them) `{"stringValue":` too.
 * A string attribute is then two pieces of the line; the line is joined from pieces, and their
 * number was what joining cost. Keys repeat on every span (alakai.event, log.message, …); the map
 * is bounded so keys taken from hostile input cannot grow it for ever.
 */
interface KeyText {
  /** Indexed by AttributeState: the prefix when the value is a string written through JSON.stringify. */
  string: readonly [string, string, string, string];
  /** Indexed by AttributeState: the prefix, with the opening quote, when the value is a string written as it is. */
  bare: readonly [string, string, string, string];
  /** Indexed by AttributeState: the prefix for any other value. */
  other: readonly [string, string, string, string];
}
/**
 * Where pushAttributes is: before the first attribute, after a string value written by
 * JSON.stringify, after another value, after a string written bare (its closing quote still due).
 */
const FIRST = 0;
const AFTER_STRING = 1;
const AFTER_OTHER = 2;
const AFTER_BARE = 3;
type AttributeState = typeof FIRST | typeof AFTER_STRING | typeof AFTER_OTHER | typeof AFTER_BARE;
const BEFORE_BY_STATE = ['[', '}},', '},', '"}},'] as const;

/**
 * A string JSON.stringify would write as itself between quotes (json-quote.ts) is pushed as it is,
 * the quotes being part of the surrounding pieces, instead of as a quoted copy made per value
 * (issue 6: the encoder's garbage).
 */
const isBare = isBareJsonString;

const keyText = boundedMemo(MAX_CACHED_ENTRIES, (key): KeyText => {
  const head = `{"key":${JSON.stringify(key)},"value":`;
  const [a, b, c, d] = BEFORE_BY_STATE;
  const str = head + '{"stringValue":';
  const bare = str + '"';
  return {
    string: [a + str, b + str, c + str, d + str],
    bare: [a + bare, b + bare, c + bare, d + bare],
    other: [a + head, b + head, c + head, d + head],
  };
});

/** What ends an attribute list, by AttributeState, followed by the text that comes next. */
type ListEnd = readonly [string, string, string, string];
function listEnd(next: string): ListEnd {
  return ['[]' + next, '}}]' + next, '}]' + next, '"}}]' + next];
}
const RESOURCE_END = listEnd('},"scopeSpans":[');
const SPAN_ATTRIBUTES_END = listEnd(',"events":[');
const EVENT_ATTRIBUTES_END = listEnd('}');

/*
 * The text is collected as an array of pieces and joined once per line. Concatenating with `+`
 * built a rope of a few hundred pieces per line, and writing a rope into the file buffer first
 * flattens it by walking the whole tree: that walk (and the rope's nodes as garbage) was a tenth
 * of the backfill's CPU (issue 6 profile). Array#join writes one flat string directly.
 */

function pushValue(parts: string[], value: AttributeValue): void {
  switch (typeof value) {
    case 'string':
      parts.push('{"stringValue":', JSON.stringify(value), '}');
      return;
    case 'boolean':
      parts.push(value ? '{"boolValue":true}' : '{"boolValue":false}');
      return;
    case 'number':
      // String(n) equals JSON.stringify(String(n)) minus quotes for every integer; a non-finite
      // double becomes null in JSON, which JSON.stringify gives.
      if (Number.isInteger(value)) parts.push('{"intValue":"', String(value), '"}');
      else parts.push('{"doubleValue":', JSON.stringify(value), '}');
      return;
    default:
      if (Array.isArray(value)) {
        parts.push('{"arrayValue":{"values":[');
        // A hole stays a hole through Array#map and JSON writes it as null.
        for (let i = 0; i < value.length; i++) {
          if (i > 0) parts.push(',');
          if (i in value) pushValue(parts, value[i] as AttributeValue);
          else parts.push('null');
        }
        parts.push(']}}');
        return;
      }
      // Not an attribute value by type (null, an object): whatever the object path makes of it.
      parts.push(JSON.stringify(encodeValue(value)));
  }
}

function pushAttributes(parts: string[], attributes: Attributes, end: ListEnd): void {
  let state: AttributeState = FIRST;
  for (const key of Object.keys(attributes)) {
    const text = keyText(key);
    const value = attributes[key]!;
    if (typeof value === 'string') {
      if (isBare(value)) {
        parts.push(text.bare[state], value);
        state = AFTER_BARE;
      } else {
        parts.push(text.string[state], JSON.stringify(value));
        state = AFTER_STRING;
      }
    } else {
      parts.push(text.other[state]);
      pushValue(parts, value);
      state = AFTER_OTHER;
    }
  }
  parts.push(end[state]);
}

const resourceJson = identityMemo((resource: Attributes): string => {
  const parts: string[] = ['{"resource":{"attributes":'];
  pushAttributes(parts, resource, RESOURCE_END);
  return parts.join('');
}, whenFrozen);

/** JSON for the integer enums; anything else falls back to what JSON.stringify writes. */
function numberJson(n: number): string {
  return Number.isInteger(n) ? String(n) : (JSON.stringify(n) ?? 'null');
}

function isObjectValue(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/**
 * True when every field has its SpanRecord type. The direct writer relies on the types (a bigint's
 * digits need no escaping, a string name is always written); a span that breaks them — only a
 * caller outside TypeScript can make one — goes through the object path instead, so it still
 * serializes exactly as it always did.
 */
function isWellTyped(span: SpanRecord): boolean {
  if (typeof span.traceId !== 'string' || typeof span.spanId !== 'string' || typeof span.name !== 'string')
    return false;
  if (span.parentSpanId !== undefined && typeof span.parentSpanId !== 'string') return false;
  if (
    typeof span.kind !== 'number' ||
    typeof span.startTimeUnixNano !== 'bigint' ||
    typeof span.endTimeUnixNano !== 'bigint'
  )
    return false;
  if (!isObjectValue(span.status) || typeof span.status.code !== 'number') return false;
  if (span.status.message !== undefined && typeof span.status.message !== 'string') return false;
  if (!isObjectValue(span.attributes) || !Array.isArray(span.events)) return false;
  for (let i = 0; i < span.events.length; i++) {
    const e = span.events[i];
    if (
      !isObjectValue(e) ||
      typeof e.name !== 'string' ||
      typeof e.timeUnixNano !== 'bigint' ||
      !isObjectValue(e.attributes)
    )
      return false;
  }
  return true;
}

function pushSpan(parts: string[], span: SpanRecord): void {
  if (!isWellTyped(span)) {
    parts.push(JSON.stringify(encodeSpan(span)));
    return;
  }
  // Ids are hex by the SpanRecord contract, but JSON.stringify costs little and keeps the text
  // valid whatever a caller put there.
  const parent = span.parentSpanId;
  if (isBare(span.traceId) && isBare(span.spanId) && isBare(span.name) && (!parent || isBare(parent))) {
    // The usual case, as many pieces and no quoted copies (see json-quote.ts).
    parts.push('{"traceId":"', span.traceId, '","spanId":"', span.spanId);
    if (parent) parts.push('","parentSpanId":"', parent);
    parts.push('","name":"', span.name, '","kind":', numberJson(span.kind + 1), ',"flags":', String(spanFlags(span)));
  } else {
    parts.push('{"traceId":', JSON.stringify(span.traceId), ',"spanId":', JSON.stringify(span.spanId));
    if (parent) parts.push(',"parentSpanId":', JSON.stringify(parent));
    parts.push(',"name":', JSON.stringify(span.name), ',"kind":', numberJson(span.kind + 1));
    parts.push(',"flags":', String(spanFlags(span)));
  }
  parts.push(
    ',"startTimeUnixNano":"',
    span.startTimeUnixNano.toString(),
    '","endTimeUnixNano":"',
    span.endTimeUnixNano.toString(),
  );
  parts.push('","attributes":');
  pushAttributes(parts, span.attributes, SPAN_ATTRIBUTES_END);
  for (let i = 0; i < span.events.length; i++) {
    const e = span.events[i]!;
    parts.push(i === 0 ? '{"timeUnixNano":"' : ',{"timeUnixNano":"', e.timeUnixNano.toString());
    if (isBare(e.name)) parts.push('","name":"', e.name, '","attributes":');
    else parts.push('","name":', JSON.stringify(e.name), ',"attributes":');
    pushAttributes(parts, e.attributes, EVENT_ATTRIBUTES_END);
  }
  parts.push('],"status":{"code":', numberJson(span.status.code));
  if (span.status.message) parts.push(',"message":', JSON.stringify(span.status.message));
  parts.push('}}');
}

function scopeJson(scope: ScopeRecord): string {
  if (typeof scope.name !== 'string' || (scope.version !== undefined && typeof scope.version !== 'string')) {
    const object = scope.version === undefined ? { name: scope.name } : { name: scope.name, version: scope.version };
    return `{"scope":${JSON.stringify(object)},"spans":[`;
  }
  return scope.version === undefined
    ? `{"scope":{"name":${JSON.stringify(scope.name)}},"spans":[`
    : `{"scope":{"name":${JSON.stringify(scope.name)},"version":${JSON.stringify(scope.version)}},"spans":[`;
}

/**
 * One line of the Collector file exporter's format: the text of JSON.stringify(toOtlpRequest(spans)),
 * written without building the request object, followed by `lineEnd` (the file sink's newline,
 * added here so the line is not copied once more to append it).
 */
export function encodeOtlpJsonLine(spans: readonly SpanRecord[], lineEnd = ''): string {
  const parts: string[] = ['{"resourceSpans":['];
  let firstResource = true;
  for (const r of groupByResourceAndScope(spans)) {
    if (!firstResource) parts.push(',');
    parts.push(resourceJson(r.resource));
    firstResource = false;
    let firstScope = true;
    for (const s of r.scopes.values()) {
      if (!firstScope) parts.push(',');
      parts.push(scopeJson(s.scope));
      for (let i = 0; i < s.spans.length; i++) {
        if (i > 0) parts.push(',');
        pushSpan(parts, s.spans[i]!);
      }
      parts.push(']}');
      firstScope = false;
    }
    parts.push(']}');
  }
  parts.push(']}', lineEnd);
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// Decoding: an OTLP/JSON request from outside (a file, a Collector) is hostile until parsed.

const HEX32 = /^[0-9a-f]{32}$/;
const NANOS = /^[0-9]{1,20}$/;

export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
}

function decodeValue(v: unknown): AttributeValue | undefined {
  if (!isPlainObject(v)) return undefined;
  if (typeof v['stringValue'] === 'string') return v['stringValue'];
  if (typeof v['boolValue'] === 'boolean') return v['boolValue'];
  if (v['intValue'] !== undefined) {
    const n = Number(v['intValue']);
    return Number.isFinite(n) ? n : undefined;
  }
  if (v['doubleValue'] !== undefined) {
    const n = Number(v['doubleValue']);
    return Number.isFinite(n) ? n : undefined;
  }
  const arr = isPlainObject(v['arrayValue']) ? v['arrayValue']['values'] : undefined;
  if (Array.isArray(arr)) {
    const out = arr.map(decodeValue);
    if (out.some((x) => x === undefined || Array.isArray(x))) return undefined;
    return out as AttributeValue;
  }
  return undefined;
}

export function decodeAttributes(list: unknown): Attributes {
  // The one attribute-map form (attribute-values.ts): keys such as "__proto__" stay plain data.
  const out: Attributes = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isPlainObject(kv) || typeof kv['key'] !== 'string') continue;
    const value = decodeValue(kv['value']);
    if (value !== undefined) setOwnAttribute(out, kv['key'], value);
  }
  return out;
}

function nanos(v: unknown, what: string): bigint {
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof s !== 'string' || !NANOS.test(s)) throw new OtlpDecodeError(`${what} is not a nanosecond timestamp`);
  return BigInt(s);
}

function decodeSpan(raw: unknown, resource: Attributes, scope: ScopeRecord): SpanRecord {
  if (!isPlainObject(raw)) throw new OtlpDecodeError('span is not an object');
  const traceId = typeof raw['traceId'] === 'string' ? raw['traceId'].toLowerCase() : '';
  const spanId = typeof raw['spanId'] === 'string' ? raw['spanId'].toLowerCase() : '';
  if (!HEX32.test(traceId)) throw new OtlpDecodeError('traceId is not 32 hex digits');
  if (!SPAN_ID_RE.test(spanId)) throw new OtlpDecodeError('spanId is not 16 hex digits');
  const parent = typeof raw['parentSpanId'] === 'string' ? raw['parentSpanId'].toLowerCase() : '';
  if (parent && !SPAN_ID_RE.test(parent)) throw new OtlpDecodeError('parentSpanId is not 16 hex digits');
  const kind = Number(raw['kind'] ?? 1) - 1;
  const status = isPlainObject(raw['status']) ? raw['status'] : {};
  const code = Number(status['code'] ?? 0);
  const span: SpanRecord = {
    traceId,
    spanId,
    name: typeof raw['name'] === 'string' ? raw['name'] : '',
    kind: (kind >= 0 && kind <= 4 ? kind : 0) as SpanRecord['kind'],
    startTimeUnixNano: nanos(raw['startTimeUnixNano'], 'startTimeUnixNano'),
    endTimeUnixNano: nanos(raw['endTimeUnixNano'], 'endTimeUnixNano'),
    status: { code: code === 1 || code === 2 ? code : 0 },
    attributes: decodeAttributes(raw['attributes']),
    events: (Array.isArray(raw['events']) ? raw['events'] : []).filter(isPlainObject).map((e) => ({
      name: typeof e['name'] === 'string' ? e['name'] : '',
      timeUnixNano: nanos(e['timeUnixNano'], 'event timeUnixNano'),
      attributes: decodeAttributes(e['attributes']),
    })),
    resource,
    scope,
  };
  if (parent) span.parentSpanId = parent;
  if (typeof status['message'] === 'string' && status['message']) span.status.message = status['message'];
  return span;
}

/** Parses one ExportTraceServiceRequest (object or JSON text). Throws OtlpDecodeError on bad input. */
export function fromOtlpRequest(request: unknown): SpanRecord[] {
  let req = request;
  if (typeof req === 'string') {
    try {
      req = JSON.parse(req);
    } catch {
      throw new OtlpDecodeError('not JSON');
    }
  }
  if (!isPlainObject(req) || !Array.isArray(req['resourceSpans'])) throw new OtlpDecodeError('no resourceSpans array');
  const spans: SpanRecord[] = [];
  for (const rs of req['resourceSpans']) {
    if (!isPlainObject(rs)) continue;
    const resource = decodeAttributes(isPlainObject(rs['resource']) ? rs['resource']['attributes'] : undefined);
    for (const ss of Array.isArray(rs['scopeSpans']) ? rs['scopeSpans'] : []) {
      if (!isPlainObject(ss)) continue;
      const sc = isPlainObject(ss['scope']) ? ss['scope'] : {};
      const scope: ScopeRecord = { name: typeof sc['name'] === 'string' ? sc['name'] : '' };
      if (typeof sc['version'] === 'string') scope.version = sc['version'];
      for (const raw of Array.isArray(ss['spans']) ? ss['spans'] : []) spans.push(decodeSpan(raw, resource, scope));
    }
  }
  return spans;
}

/**
 * The plain reference for the `otel` bridge extension's text: the extension as a tree of arrays and
 * objects, written by JSON.stringify. src/contract/otel-extension.ts writes the same text by hand
 * (faster); otel-extension-writer.test.ts holds it to this byte for byte. The format is
 * docs/summary-event-format.md's: short keys, times relative to the slice start, defaults left out.
 */
import type { AttributeDiff } from '../../../src/contract/attribute-diff.js';
import {
  OTEL_EXTENSION_VERSION,
  type ExtensionDescendant,
  type ExtensionEvent,
  type OtelExtension,
} from '../../../src/contract/otel-extension.js';
import type { ScopeRecord } from '../../../src/contract/span-record.js';

/** Nanoseconds as a JSON number while it is exact, else as a decimal string. */
function ns(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** [set or 0] + [del or 0, order] when there is an order, else + [del] when there is one. */
function diffTree(diff: AttributeDiff): unknown[] {
  const tree: unknown[] = [diff.set ?? 0];
  if (diff.order) tree.push(diff.del ?? 0, diff.order);
  else if (diff.del) tree.push(diff.del);
  return tree;
}

function eventTree(e: ExtensionEvent): unknown[] {
  return Object.keys(e.attributes).length ? [e.name, ns(e.offsetNs), e.attributes] : [e.name, ns(e.offsetNs)];
}

function scopeTree(scope: ScopeRecord): unknown[] {
  return scope.version === undefined ? [scope.name] : [scope.name, scope.version];
}

/** Positions 0–5 always; 6–11 (status code, message, attributes, events, scope, resource) up to the last that is not 0. */
function descendantTree(d: ExtensionDescendant): unknown[] {
  const optional: unknown[] = [
    d.status.code === 0 ? 0 : d.status.code,
    d.status.message ?? 0,
    Object.keys(d.attributes).length ? d.attributes : 0,
    d.events.length ? d.events.map(eventTree) : 0,
    d.scope ? scopeTree(d.scope) : 0,
    d.resource ? diffTree(d.resource) : 0,
  ];
  while (optional.length > 0 && optional[optional.length - 1] === 0) optional.pop();
  return [d.spanId, d.parent, d.name, d.kind, ns(d.startOffsetNs), ns(d.durationNs), ...optional];
}

export function referenceOtelExtension(ext: OtelExtension): string {
  const tree: Record<string, unknown> = { v: OTEL_EXTENSION_VERSION, s: ext.startNs.toString(), d: ns(ext.durationNs) };
  if (ext.name !== undefined) tree['n'] = ext.name;
  if (ext.kind !== undefined) tree['k'] = ext.kind;
  if (ext.statusCode !== undefined) tree['c'] = ext.statusCode;
  if (ext.statusMessage !== undefined) tree['m'] = ext.statusMessage;
  if (ext.domainKeys.length) tree['ak'] = ext.domainKeys;
  if (ext.attributes) tree['a'] = diffTree(ext.attributes);
  if (ext.events.length) tree['e'] = ext.events.map(eventTree);
  if (ext.resource) tree['r'] = diffTree(ext.resource);
  if (ext.scope) tree['sc'] = scopeTree(ext.scope);
  if (ext.descendants.length) tree['ch'] = ext.descendants.map(descendantTree);
  if (ext.dropped) tree['dr'] = ext.dropped;
  if (ext.truncated) tree['tr'] = 1;
  return JSON.stringify(tree);
}

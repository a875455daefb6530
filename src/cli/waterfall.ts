/**
 * A trace as a text waterfall: one row per span, indented under its parent, with a bar placed on
 * the trace's time axis. Pure (SpanRecord[] → string), so `trace`, `demo` and tests share it.
 *
 * Spans whose parent is not in the list are shown as roots (a partial trace is still readable), and
 * a child that starts before its parent (clock skew between services) is drawn where its own times
 * put it — the tree says who caused whom, the bar says when each side's clock saw it.
 *
 * Each row ends with the component whose service recorded the span (core, orchestrator, worker).
 */
import { ALAKAI_COMPONENT } from '../contract/attribute-keys.js';
import { STATUS_CODE, type SpanRecord } from '../contract/span-record.js';

export interface WaterfallOptions {
  /** Total line width in columns (default 100, at least 60). */
  width?: number;
  /** ANSI colours: errors red, bars cyan. Off by default (files, pipes). */
  color?: boolean;
}

const LABEL_WIDTH = 44;
/** After the bar: a space and "orchestrator" (12). */
const COMPONENT_WIDTH = 13;
const DURATION_WIDTH = 11;
const MIN_BAR_WIDTH = 10;
const RED = '\u001b[31m';
const CYAN = '\u001b[36m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

/** Control characters in names come from log text: never let them reach a terminal. */
function printable(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out += code < 0x20 || (code >= 0x7f && code < 0xa0) ? '?' : ch;
  }
  return out;
}

function formatDuration(ns: bigint): string {
  const ms = Number(ns) / 1e6;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)}m`;
  return `${(ms / 3_600_000).toFixed(1)}h`;
}

/**
 * Siblings in the order they started. OTel JS takes a span's start from Date.now(), in whole
 * milliseconds, and its end as that start plus a high-resolution duration, so steps that ran one
 * after the other within a millisecond share their start, and their ends say nothing about which
 * ran first. The only real order left is the one they were recorded in, so ties keep the order the
 * caller gives (`trace` passes a slice's spans in the order its summary line lists them: the order
 * they ended, which for steps run one after the other is the order they ran). Never by span id:
 * ids are random.
 */
function compareSpans(a: Indexed, b: Indexed): number {
  if (a.span.startTimeUnixNano !== b.span.startTimeUnixNano)
    return a.span.startTimeUnixNano < b.span.startTimeUnixNano ? -1 : 1;
  return a.index - b.index;
}

interface Indexed {
  span: SpanRecord;
  index: number;
}

/** The component whose service recorded the span: the resource's, else the span's own attribute. */
function componentOf(span: SpanRecord): string {
  const value = span.resource[ALAKAI_COMPONENT] ?? span.attributes[ALAKAI_COMPONENT];
  return typeof value === 'string' ? value : '-';
}

/** Children by parent id ('' for roots), each list in start order. */
function childrenByParent(spans: readonly Indexed[]): Map<string, Indexed[]> {
  const ids = new Set(spans.map((s) => s.span.spanId));
  const children = new Map<string, Indexed[]>();
  for (const item of spans) {
    const { span } = item;
    const key =
      span.parentSpanId && span.parentSpanId !== span.spanId && ids.has(span.parentSpanId) ? span.parentSpanId : '';
    let list = children.get(key);
    if (!list) children.set(key, (list = []));
    list.push(item);
  }
  for (const list of children.values()) list.sort(compareSpans);
  return children;
}

export function renderWaterfall(spans: SpanRecord[], options: WaterfallOptions = {}): string {
  if (spans.length === 0) return '(no spans)';
  const width = Math.max(60, Math.floor(options.width ?? 100));
  const barWidth = Math.max(MIN_BAR_WIDTH, width - LABEL_WIDTH - COMPONENT_WIDTH - DURATION_WIDTH - 3);
  const color = options.color === true;
  let start = spans[0]!.startTimeUnixNano;
  let end = spans[0]!.endTimeUnixNano;
  for (const s of spans) {
    if (s.startTimeUnixNano < start) start = s.startTimeUnixNano;
    if (s.endTimeUnixNano > end) end = s.endTimeUnixNano;
  }
  const total = Number(end - start) || 1;
  const column = (t: bigint): number =>
    Math.min(barWidth - 1, Math.max(0, Math.floor((Number(t - start) / total) * barWidth)));

  const indexed = spans.map((span, index): Indexed => ({ span, index }));
  const children = childrenByParent(indexed);
  const lines: string[] = [];
  const visited = new Set<string>();
  // Iterative depth-first walk: a hostile or cyclic parent chain cannot blow the stack.
  const stack: { span: SpanRecord; depth: number }[] = (children.get('') ?? [])
    .map(({ span }) => ({ span, depth: 0 }))
    .reverse();
  const emit = (span: SpanRecord, depth: number): void => {
    const from = column(span.startTimeUnixNano);
    const to = Math.max(from, column(span.endTimeUnixNano));
    const isError = span.status.code === STATUS_CODE.ERROR;
    const glyph = isError ? '!' : '█';
    const bar = ' '.repeat(from) + glyph.repeat(to - from + 1) + ' '.repeat(barWidth - to - 1);
    const indent = '  '.repeat(Math.min(depth, 10));
    const label = printable(`${indent}${span.name}`)
      .slice(0, LABEL_WIDTH - 1)
      .padEnd(LABEL_WIDTH);
    const component = printable(componentOf(span))
      .slice(0, COMPONENT_WIDTH - 1)
      .padEnd(COMPONENT_WIDTH - 1);
    const duration = formatDuration(span.endTimeUnixNano - span.startTimeUnixNano).padStart(DURATION_WIDTH);
    if (!color) lines.push(`${label}${duration} |${bar}| ${component}`);
    else
      lines.push(
        `${isError ? RED : ''}${label}${isError ? RESET : ''}${DIM}${duration}${RESET} |${isError ? RED : CYAN}${bar}${RESET}| ${DIM}${component}${RESET}`,
      );
  };
  while (stack.length > 0) {
    const { span, depth } = stack.pop()!;
    if (visited.has(span.spanId)) continue;
    visited.add(span.spanId);
    emit(span, depth);
    const kids = children.get(span.spanId) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!.span, depth: depth + 1 });
  }
  // Spans only reachable through a cycle (a → b → a): shown flat rather than hidden.
  for (const { span } of [...indexed].sort(compareSpans))
    if (!visited.has(span.spanId)) {
      visited.add(span.spanId);
      emit(span, 0);
    }
  return lines.join('\n');
}

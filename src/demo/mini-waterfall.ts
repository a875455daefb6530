/**
 * TEMPORARY: a minimal waterfall until src/cli/waterfall.ts (renderWaterfall) lands; same
 * signature, so switching is a one-line import change. Delete this file then.
 */
import type { SpanRecord } from '../contract/span-record.js';

export function renderWaterfall(spans: SpanRecord[], options: { width?: number; color?: boolean } = {}): string {
  if (spans.length === 0) return '(no spans)';
  const barWidth = Math.max(10, (options.width ?? 100) - 60);
  const start = spans.reduce((m, s) => (s.startTimeUnixNano < m ? s.startTimeUnixNano : m), spans[0]!.startTimeUnixNano);
  const end = spans.reduce((m, s) => (s.endTimeUnixNano > m ? s.endTimeUnixNano : m), spans[0]!.endTimeUnixNano);
  const total = Number(end - start) || 1;
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const key = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : '';
    const list = children.get(key) ?? [];
    list.push(s);
    children.set(key, list);
  }
  const lines: string[] = [];
  const walk = (parent: string, depth: number): void => {
    const list = (children.get(parent) ?? []).slice().sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
    for (const s of list) {
      const from = Math.floor((Number(s.startTimeUnixNano - start) / total) * barWidth);
      const len = Math.max(1, Math.round((Number(s.endTimeUnixNano - s.startTimeUnixNano) / total) * barWidth));
      const bar = ' '.repeat(from) + (s.status.code === 2 ? '!' : '█').repeat(Math.min(len, barWidth - from || 1));
      const ms = (Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6).toFixed(1);
      const label = `${'  '.repeat(depth)}${s.name}`.slice(0, 44).padEnd(44);
      lines.push(`${label} ${ms.padStart(8)}ms |${bar.padEnd(barWidth)}|`);
      walk(s.spanId, depth + 1);
    }
  };
  walk('', 0);
  return lines.join('\n');
}

/** The waterfall's row order for siblings that start in the same millisecond, and its component column. */
import { describe, expect, it } from 'vitest';
import { ALAKAI_COMPONENT } from '../../../src/contract/attribute-keys.js';
import type { SpanRecord } from '../../../src/contract/span-record.js';
import { renderWaterfall } from '../../../src/cli/waterfall.js';

const MS = 1_000_000n;

function span(id: string, name: string, start: bigint, end: bigint, component: string, parent?: string): SpanRecord {
  return {
    traceId: 'b'.repeat(32),
    spanId: id.padStart(16, '0'),
    ...(parent ? { parentSpanId: parent.padStart(16, '0') } : {}),
    name,
    kind: 0,
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    status: { code: 0 },
    attributes: {},
    events: [],
    resource: { [ALAKAI_COMPONENT]: component },
    scope: { name: 't' },
  };
}

const names = (text: string): string[] => text.split('\n').map((l) => l.slice(0, 44).trim());

describe('waterfall sibling order', () => {
  // OTel JS: start = Date.now() (whole ms), end = start + a high-resolution duration. Three steps
  // run one after the other inside millisecond 1000 (the second took longest); their span ids sort
  // the other way round.
  const slice = span('01', 'slack.implementation', 1000n * MS, 1003n * MS, 'core');
  const first = span('ff', 'verify_signature', 1000n * MS, 1000n * MS + 200_000n, 'core', '01');
  const second = span('ee', 'parse_command', 1000n * MS, 1000n * MS + 500_000n, 'core', '01');
  const third = span('dd', 'validate_args', 1000n * MS, 1000n * MS + 90_000n, 'core', '01');
  const later = span('00', 'enqueue', 1001n * MS, 1001n * MS + 10_000n, 'core', '01');

  it('same start: the order they were given in (recorded order), not span id or end time', () => {
    expect(names(renderWaterfall([slice, later, first, second, third], { width: 120 }))).toEqual([
      'slack.implementation',
      'verify_signature',
      'parse_command',
      'validate_args',
      'enqueue',
    ]);
    expect(names(renderWaterfall([third, slice, second, later, first], { width: 120 }))).toEqual([
      'slack.implementation',
      'validate_args',
      'parse_command',
      'verify_signature',
      'enqueue',
    ]);
  });
});

describe('waterfall component column', () => {
  it('names the component of every row, from the resource (or the span attribute)', () => {
    const core = span('01', 'coding.implementation', 0n, 10n * MS, 'core');
    const orchestrator = span('02', 'coding.implementation', 2n * MS, 8n * MS, 'orchestrator', '01');
    const worker = {
      ...span('03', 'clone_repo', 3n * MS, 7n * MS, 'x', '02'),
      resource: {},
      attributes: { [ALAKAI_COMPONENT]: 'worker' },
    };
    const rows = renderWaterfall([core, orchestrator, worker], { width: 100 }).split('\n');
    expect(rows.map((r) => r.slice(r.lastIndexOf('|') + 1).trim())).toEqual(['core', 'orchestrator', 'worker']);
    for (const r of rows) expect(r.length).toBe(100);
  });
});

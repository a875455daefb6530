/**
 * The contract against the real writer: a bridged event logged through pino (which adds its own
 * level, epoch-ms time, pid/hostname bindings and puts msg last) reads back to the exact spans.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { summaryEventToSpans } from '../../../src/contract/event-to-spans.js';
import { parseLogLine } from '../../../src/contract/parse.js';
import { sliceToSummaryEvent } from '../../../src/contract/spans-to-event.js';
import type { SummaryEvent } from '../../../src/contract/summary-event.js';
import { exampleTree } from './docs-example.js';

function pinoLines(write: (logger: pino.Logger) => void): string[] {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino({ base: { pid: 4242, hostname: 'ip-10-0-1-7' } }, sink);
  write(logger);
  return chunks.join('').split('\n').filter(Boolean);
}

/** The event logged as a processor would: pino writes level, time and msg itself. */
function pinoLineOf(event: SummaryEvent): string {
  const [line] = pinoLines((logger) => {
    const { time: _time, level: _level, msg, ...fields } = event;
    logger.info(fields, msg);
  });
  return line!;
}

describe('a summary event written by pino', () => {
  it('reads back to the exact spans; pino time and bindings do not leak into them', () => {
    const { slice, descendants } = exampleTree();
    const event = sliceToSummaryEvent(slice, descendants);
    const line = pinoLineOf(event);
    const parsed = parseLogLine(line);
    expect(parsed.kind).toBe('summary');
    if (parsed.kind !== 'summary') return;
    expect(parsed.event['pid']).toBe(4242);
    expect(summaryEventToSpans(parsed.event)).toStrictEqual([slice, ...descendants]);
  });

  it('the guide runbook fields keep their names and types in the pino line', () => {
    const { slice, descendants } = exampleTree();
    const event = sliceToSummaryEvent(slice, descendants);
    const line = pinoLineOf(event);
    const raw = JSON.parse(line) as Record<string, any>;
    expect(raw.level).toBe(30);
    expect(raw.msg).toBe('[event] coding.implementation -> success');
    expect(raw.context.component).toBe('worker');
    expect(typeof raw.duration_ms).toBe('number');
    expect(raw.pull_request.number).toBe(42);
    expect(raw.repo.full_name).toBe('org/repo');
  });
});

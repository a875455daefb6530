/**
 * Where (c)'s extra time goes: the parts of the bridge's line path on one real slice's spans,
 * each timed alone with tinybench, next to today's hand-written `logger.info` of the same event.
 * A diagnostic for the slice-overhead target, not a target itself.
 */
import { Bench } from 'tinybench';
import { flattenDomain } from '../../src/contract/domain-attributes.js';
import { sliceToSummaryEvent } from '../../src/contract/spans-to-event.js';
import type { Attributes } from '../../src/contract/span-record.js';
import { toSpanRecord } from '../../src/sdk/readable-span.js';
import { writeSummaryLine } from '../../src/sdk/summary-line.js';
import { captureSlice } from './bridge-scenario.js';
import { COMPONENT, DOMAIN, EVENT, STEPS, nextTraceId, serviceLogger, type LogSink } from './fixture.js';

export interface LinePartResult {
  name: string;
  usMedian: number;
  madPct: number;
  samples: number;
}

export async function runLineParts(sink: LogSink, quick: boolean): Promise<LinePartResult[]> {
  const { slice, steps } = await captureSlice(sink);
  const sliceRecord = toSpanRecord(slice);
  const stepRecords = steps.map(toSpanRecord);
  const event = sliceToSummaryEvent(sliceRecord, stepRecords);
  const logger = serviceLogger(sink.stream);
  const traceId = nextTraceId();
  const handWritten = {
    trace_id: traceId,
    event: EVENT,
    outcome: 'success',
    final_status: 'completed',
    duration_ms: 12,
    context: { trace_id: traceId, component: COMPONENT },
    steps: Object.fromEntries(STEPS.map((s) => [s, 'ok'])),
    error: null,
    ...DOMAIN,
  };

  const bench = new Bench({ time: quick ? 100 : 1000, warmupTime: quick ? 20 : 200, retainSamples: true });
  bench
    .add('flattenDomain (slice fields → attributes, at start)', () => {
      const out: Attributes = Object.create(null);
      flattenDomain(DOMAIN, Object.keys(DOMAIN), out);
    })
    .add('toSpanRecord × 5 (ReadableSpan → SpanRecord)', () => {
      toSpanRecord(slice);
      for (const s of steps) toSpanRecord(s);
    })
    .add('sliceToSummaryEvent (records → event + otel extension)', () => {
      sliceToSummaryEvent(sliceRecord, stepRecords);
    })
    .add('writeSummaryLine (pino, bridge event)', () => {
      writeSummaryLine(logger, event);
    })
    .add('(b) hand-written logger.info (same sink)', () => {
      logger.info(handWritten, `[event] ${EVENT} -> success`);
    });
  await bench.run();
  await sink.drain();
  return bench.tasks.map((t) => {
    const r = t.result;
    if (r.state !== 'completed') throw new Error(`${t.name}: ${r.state}`);
    return {
      name: t.name,
      usMedian: r.latency.p50 * 1000,
      madPct: (100 * r.latency.mad) / r.latency.p50,
      samples: r.latency.samplesCount,
    };
  });
}

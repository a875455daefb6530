/**
 * `slice.logger`: a child of the service's logger bound to one slice, so step-level lines carry
 * the guide's join key. The guide's runbook step 3 reads every line of an execution with
 * `fields @timestamp, context.component, level, msg | filter trace_id = "<id>"`; the summary line
 * writes `trace_id` and `context: { trace_id, component }`, and the child binds the same values.
 * A key the service's logger already binds is not bound again (pino would write it twice).
 */
import { pino, type Logger } from 'pino';
import { boundKeys } from './bound-keys.js';
import { registeredTracing } from './global.js';
import { isoTimestamp } from './logger.js';
import type { ActiveSlice } from './slice-context.js';

let fallback: Logger | undefined;

/**
 * For a slice run without a known service logger (the standalone `runSlice` without one and no
 * register entry): JSON to stdout with the guide's ISO time, synchronous because nobody flushes it.
 */
function fallbackLogger(): Logger {
  fallback ??= pino({ base: undefined, timestamp: isoTimestamp }, pino.destination({ dest: 1, sync: true }));
  return fallback;
}

export function sliceLogger(serviceLogger: Logger | undefined, slice: ActiveSlice): Logger {
  const parent = serviceLogger ?? registeredTracing()?.logger ?? fallbackLogger();
  const bound = boundKeys(parent);
  const bindings: Record<string, unknown> = {};
  if (!bound.has('trace_id')) bindings.trace_id = slice.traceId;
  if (!bound.has('context')) bindings.context = { trace_id: slice.traceId, component: slice.component };
  return parent.child(bindings);
}

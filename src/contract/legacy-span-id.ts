/**
 * One id, one span (docs/mapping.md#one-id-one-span): the span id of a legacy summary event, and
 * the one rule that keeps the two spans a legacy line can become apart.
 *
 * A legacy line carries no span ids, so its span id is derived from its content. What the span
 * holds besides the line depends on who builds it: the backfill (and `trace`, and `follow`, which
 * export what the backfill exports) sees the whole trace and gives the slice its causal parent and
 * its step lines as span events — the *linked* span; zero-code mode, `live`, the pino transport
 * and the Lambda handler see one line at a time and give a root span with neither — the *unlinked*
 * span. Jaeger keeps two spans under one id when they differ, so the two derive their ids from
 * distinct inputs and can never share one. Whether the linked span of a line ends up without
 * parent and events is known only once its whole trace is read, so no one-line path can prove the
 * two equal: they never share an id, even where they would be equal.
 */
import * as crypto from 'node:crypto';
import type { SummaryEvent } from './summary-event.js';
import { ZERO_SPAN_ID } from './span-id.js';

/**
 * `linked`: placed in its trace by the backfill's assembly (parent, step-line events).
 * `unlinked`: built from the line alone, a root span without step-line events.
 */
export type Linkage = 'linked' | 'unlinked';

// crypto.hash (Node ≥ 20.12) is the one-shot form, about twice as fast as createHash for short input.
const sha256Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash: (alg: string, data: string) => string }).hash('sha256', text)
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The first word of the unlinked identity. The linked identity starts with the service name (a
 * string), so no event's linked identity can equal an unlinked one, and the linked ids stay what
 * every earlier backfill wrote.
 */
const UNLINKED_NAMESPACE = 0;

/**
 * The span id of a legacy event: the first 16 hex digits of sha-256 over the fields that identify
 * a slice — service, component, trace_id, event, outcome, final_status, time, duration_ms — as
 * validateSummaryEvent normalizes them, preceded for an unlinked span by its namespace. Re-running
 * the backfill over the same lines therefore yields the same spans (Jaeger dedupes them), and so
 * does the same event logged twice through different pipelines (other pid/hostname bindings). Two
 * different slices of one execution never share all of these: they differ in component, event or
 * end time.
 */
export function legacySpanId(event: SummaryEvent, linkage: Linkage = 'linked'): string {
  const fields = [
    event.service,
    event.component,
    event.trace_id,
    event.event,
    event.outcome,
    event.final_status,
    event.time,
    event.duration_ms,
  ];
  const identity = JSON.stringify(linkage === 'linked' ? fields : [UNLINKED_NAMESPACE, ...fields]);
  const digest = sha256Hex(identity);
  for (let i = 0; i + 16 <= digest.length; i += 16) {
    const id = digest.slice(i, i + 16);
    if (id !== ZERO_SPAN_ID) return id;
  }
  return '0000000000000001'; // unreachable in practice: all four 64-bit words of a sha-256 are zero
}

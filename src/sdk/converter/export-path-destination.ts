/**
 * An SDK export path (CountingBatchProcessor) as a destination of the streaming converter: `send`
 * only queues the spans into the path's bounded batch queue, synchronously, so for it "exported"
 * means "taken by the path". The path itself counts what it then drops or fails to export
 * (`tracing.stats()`), as it does for live spans.
 */
import type { CountingBatchProcessor } from '../export-processor.js';
import { toReadableSpan } from '../record-to-readable.js';
import type { SpanDestination } from './span-converter.js';

export function exportPathDestination(path: CountingBatchProcessor, name: string): SpanDestination {
  return {
    name,
    send(batch) {
      for (const group of batch) for (const record of group) path.enqueue(toReadableSpan(record));
    },
  };
}

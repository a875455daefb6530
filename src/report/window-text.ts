/** A time window as the pages and the report print it, in Logs Insights' timestamp format. */
import { formatTimestamp } from '../query/event.js';
import type { TimeWindow } from '../query/query-engine.js';

export function windowText(window: TimeWindow): string {
  return `${formatTimestamp(window.startMs)} to ${formatTimestamp(window.endMs)} UTC`;
}

/**
 * The JSON that `aws logs filter-log-events` prints: `{"events":[{"logStreamName", "timestamp",
 * "message", "ingestionTime", "eventId"}], "searchedLogStreams": [...], "nextToken"?}`.
 * https://docs.aws.amazon.com/cli/latest/reference/logs/filter-log-events.html
 *
 * It is one JSON document, so it is parsed whole; the caller caps its size.
 */
import type { SourceRecord } from '../source-types.js';

/** True when the start of a stream looks like that document rather than NDJSON log lines. */
export function looksLikeAwsCliJson(head: string): boolean {
  const text = head.replace(/^\uFEFF/, '');
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
  if (text[i] !== '{') return false;
  // Pretty-printed (the CLI's default): the first line is a lone "{". NDJSON lines are whole objects.
  const nl = text.indexOf('\n', i);
  const firstLine = (nl === -1 ? text.slice(i) : text.slice(i, nl)).trim();
  if (firstLine === '{') return true;
  // Compact (`--output json | jq -c`): the first key is "events".
  let j = i + 1;
  while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j++;
  return text.startsWith('"events"', j);
}

export type AwsCliParse = { ok: true; records: SourceRecord[] } | { ok: false; reason: string };

/** Parses the whole document into one record per event; malformed events are refused records. */
export function parseAwsCliJson(text: string): AwsCliParse {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'is not valid JSON (neither NDJSON log lines nor `aws logs filter-log-events` output)' };
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { events?: unknown }).events)) {
    return { ok: false, reason: 'is JSON without an "events" array (expected `aws logs filter-log-events` output)' };
  }
  const records: SourceRecord[] = [];
  for (const event of (doc as { events: unknown[] }).events) {
    const message = typeof event === 'object' && event !== null ? (event as { message?: unknown }).message : undefined;
    if (typeof message !== 'string') {
      records.push({ text: undefined, readError: 'bad_cloudwatch_event' });
      continue;
    }
    // CloudWatch keeps the newline the service wrote; the line itself is what we parse.
    records.push({ text: message.endsWith('\n') ? message.slice(0, message.endsWith('\r\n') ? -2 : -1) : message });
  }
  return { ok: true, records };
}

/**
 * The JSON documents the aws CLI prints, in the shapes users make, as log line records:
 *
 * - `aws logs filter-log-events`: `{"events": [{"logStreamName", "timestamp", "message", …}],
 *   "searchedLogStreams": […], "NextToken"?}`. With `--max-items N` the CLI stops after N events
 *   and prints a `NextToken` to continue from (`nextToken` with `--no-paginate`): the file then
 *   holds only part of the range, which is said (onPartial), not passed over.
 *   https://docs.aws.amazon.com/cli/latest/reference/logs/filter-log-events.html
 *   https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-pagination.html
 * - the same with `--query 'events[].message'`: an array of message strings (or of event objects
 *   with `--query 'events[]'`).
 * - `aws logs get-query-results` (the guide's runbook: start-query, then get-query-results):
 *   `{"results": [[{"field": "@timestamp", "value": …}, {"field": "@message", "value": …}, …]],
 *   "statistics": {…}, "status": "Complete"}`. Only `@message` holds the whole line; rows without
 *   it cannot be turned back into events, so such output is refused with what to add. A status
 *   other than Complete (Running, Scheduled, Timeout, …) means the results are partial.
 *   https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html
 *
 * - CloudWatch Logs subscription-filter envelopes, as Firehose delivers them to S3 (one after the
 *   other, no separator; the gzip around each is inflate.ts's): `{"messageType": "DATA_MESSAGE",
 *   "owner", "logGroup", "logStream", "subscriptionFilters", "logEvents": [{"id", "timestamp",
 *   "message"}]}`. `CONTROL_MESSAGE` envelopes (Firehose's health checks) are skipped, not records.
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 *
 * Where a document names the log group a line came from (an envelope's `logGroup`, a query row's
 * `@log` = `account:group`), `logGroups` selects as `--log-group` does for CloudWatch: lines of
 * other groups are not read at all (not records, as FilterLogEvents never fetches them).
 *
 * The document is streamed (aws-json-scanner.ts): only one element is held at a time. Elements
 * are parsed with JSON.parse, which never sets a prototype; only named properties are read.
 */
import { SourceUserError, type SourceRecord } from '../source-types.js';
import type { ScannedItem } from './aws-json-scanner.js';

/** First keys by which a compact (`jq -c`) document is told from an NDJSON line. */
const COMPACT_FIRST_KEYS = ['"events"', '"results"', '"queryLanguage"', '"messageType"'];

/** A subscription envelope starts with its messageType (CloudWatch writes it first; pretty-printed too). */
const ENVELOPE_START = /^\uFEFF?\s*\{\s*"messageType"\s*:/;

/** True when the stream is CloudWatch Logs subscription envelopes (read as a sequence of documents). */
export function looksLikeEnvelopes(head: string): boolean {
  return ENVELOPE_START.test(head);
}

/** True when the start of a stream looks like an aws CLI document rather than NDJSON log lines. */
export function looksLikeAwsCliJson(head: string): boolean {
  const text = head.replace(/^\uFEFF/, '');
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
  // An array: `--query 'events[].message'` (the services' lines are objects, never arrays).
  if (text[i] === '[') return true;
  if (text[i] !== '{') return false;
  // Pretty-printed (the CLI's default): the first line is a lone "{". NDJSON lines are whole objects.
  const nl = text.indexOf('\n', i);
  const firstLine = (nl === -1 ? text.slice(i) : text.slice(i, nl)).trim();
  if (firstLine === '{') return true;
  let j = i + 1;
  while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j++;
  return COMPACT_FIRST_KEYS.some((key) => text.startsWith(key, j));
}

export interface AwsCliRecordOptions {
  /** The input's name for messages (`events.json`, `stdin`). */
  name: string;
  /** Longer messages are refused records (`too_large`), as NDJSON lines are. */
  maxLineBytes: number;
  /** Told once per reason when the document says it holds only part of its results. */
  onPartial?: (message: string) => void;
  /** Only lines of these log groups, where the document names the group. */
  logGroups?: ReadonlySet<string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** CloudWatch keeps the newline the service wrote; the line itself is what is parsed. */
function lineOf(message: string, maxLineBytes: number, timestampMs?: number): SourceRecord {
  const text = message.endsWith('\n') ? message.slice(0, message.endsWith('\r\n') ? -2 : -1) : message;
  // A UTF-16 unit is at most 3 UTF-8 bytes: count exactly only near the limit.
  if (text.length * 3 > maxLineBytes && Buffer.byteLength(text, 'utf8') > maxLineBytes)
    return { text: undefined, readError: 'too_large' };
  return timestampMs === undefined ? { text } : { text, timestampMs };
}

/** get-query-results prints @timestamp as `2024-05-01 12:00:00.000`, in UTC. */
function rowTimestamp(row: unknown[]): number | undefined {
  for (const cell of row) {
    if (isObject(cell) && cell['field'] === '@timestamp' && typeof cell['value'] === 'string') {
      const ms = Date.parse(`${cell['value'].replace(' ', 'T')}Z`);
      return Number.isFinite(ms) ? ms : undefined;
    }
  }
  return undefined;
}

/** A get-query-results row: `@message`'s value, `null` when the row has no `@message`, undefined when it is not a row. */
function rowMessage(row: unknown): string | null | undefined {
  if (!Array.isArray(row)) return undefined;
  for (const cell of row) {
    if (isObject(cell) && cell['field'] === '@message') return typeof cell['value'] === 'string' ? cell['value'] : null;
  }
  return null;
}

/** A row's `@log` group (`123456789012:/ecs/alakai-core` → `/ecs/alakai-core`), when it has one. */
function rowLogGroup(row: unknown[]): string | undefined {
  for (const cell of row) {
    if (isObject(cell) && cell['field'] === '@log' && typeof cell['value'] === 'string') {
      const value = cell['value'];
      const colon = value.indexOf(':');
      return colon === -1 ? value : value.slice(colon + 1);
    }
  }
  return undefined;
}

/** Turns scanned items into records, in order; throws SourceUserError for output it cannot use. */
export class AwsCliRecords {
  private arrays = new Set<string>();
  private rowsChecked = false;
  private readonly told = new Set<string>();
  /** The current envelope's messageType and logGroup (members CloudWatch writes before logEvents). */
  private messageType: string | undefined;
  private logGroup: string | undefined;

  constructor(private readonly options: AwsCliRecordOptions) {}

  add(items: readonly ScannedItem[], out: SourceRecord[]): void {
    for (const item of items) {
      if (item.kind === 'document') {
        this.messageType = undefined;
        this.logGroup = undefined;
      } else if (item.kind === 'array') this.arrays.add(item.array);
      else if (item.kind === 'member') this.member(item.key, item.json);
      else if (item.array === 'logEvents' && this.skipsEnvelope()) continue;
      else if (item.kind === 'oversized') out.push({ text: undefined, readError: 'too_large' });
      else {
        const record = this.element(item.array, item.json);
        if (record) out.push(record);
      }
    }
  }

  /** A control message, or an envelope of a log group not asked for: its events are not records. */
  private skipsEnvelope(): boolean {
    if (this.messageType === 'CONTROL_MESSAGE') return true;
    const wanted = this.options.logGroups;
    return wanted !== undefined && this.logGroup !== undefined && !wanted.has(this.logGroup);
  }

  /** After the whole document: it must have held records (or an empty record array). */
  finish(): void {
    if (this.arrays.size === 0) {
      throw new SourceUserError(
        `${this.options.name} is JSON without an "events" array (expected \`aws logs filter-log-events\` or \`get-query-results\` output)`,
      );
    }
  }

  private partial(reason: string, message: string): void {
    if (this.told.has(reason)) return;
    this.told.add(reason);
    this.options.onPartial?.(message);
  }

  private member(key: string, json: string | undefined): void {
    let value: unknown;
    try {
      value = json === undefined ? undefined : JSON.parse(json);
    } catch {
      return;
    }
    if (key === 'messageType' && typeof value === 'string') this.messageType = value;
    else if (key === 'logGroup' && typeof value === 'string') this.logGroup = value;
    else if ((key === 'NextToken' || key === 'nextToken') && typeof value === 'string' && value.length > 0) {
      this.partial(
        'next_token',
        `${this.options.name} is partial: the aws CLI stopped early and printed a ${key} (--max-items or --no-paginate); fetch the rest with --starting-token and backfill it too`,
      );
    } else if (key === 'status' && typeof value === 'string' && value !== 'Complete') {
      this.partial(
        'query_status',
        `${this.options.name} is partial: the query's status is "${value.slice(0, 40)}", not "Complete"; run get-query-results again once the query is Complete`,
      );
    }
  }

  /** The record an element stands for; undefined when it is a line of a log group not asked for. */
  private element(array: string, json: string): SourceRecord | undefined {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      return { text: undefined, readError: 'bad_cloudwatch_event' };
    }
    if (typeof value === 'string' && array === 'root') return lineOf(value, this.options.maxLineBytes);
    if (isObject(value) && array !== 'results') {
      const ts = value['timestamp'];
      return typeof value['message'] === 'string'
        ? lineOf(
            value['message'],
            this.options.maxLineBytes,
            typeof ts === 'number' && Number.isFinite(ts) ? ts : undefined,
          )
        : { text: undefined, readError: 'bad_cloudwatch_event' };
    }
    if (Array.isArray(value) && array !== 'events') {
      const message = rowMessage(value);
      if (message === null && !this.rowsChecked) {
        throw new SourceUserError(
          `${this.options.name} is \`aws logs get-query-results\` output without @message: add @message to the query's fields (fields @timestamp, @message, … | filter trace_id = "…") and run the query again`,
        );
      }
      this.rowsChecked = true;
      const wanted = this.options.logGroups;
      if (wanted !== undefined) {
        const group = rowLogGroup(value);
        if (group !== undefined && !wanted.has(group)) return undefined;
      }
      if (typeof message === 'string') return lineOf(message, this.options.maxLineBytes, rowTimestamp(value));
    }
    return { text: undefined, readError: 'bad_cloudwatch_event' };
  }
}

/**
 * One log event as the query engine sees it: the line (@message), its time (@timestamp), the log
 * group (@log) and its JSON fields. Each line is one event, as CloudWatch stores it: nothing is
 * merged or de-duplicated here.
 */
import { LOG_GROUPS, type Component } from '../contract/summary-event.js';
import { normalizeTime } from '../contract/event-time.js';
import { lookupPath, type Value } from './values.js';

export interface QueryEvent {
  message: string;
  /** Epoch ms, or undefined when neither the input nor the line carries a time. */
  timestampMs: number | undefined;
  logGroup: string | undefined;
  /** The parsed JSON object; undefined for a line that is not a JSON object. */
  json: Record<string, unknown> | undefined;
}

/** The fields the engine knows how to fill from a file. */
export const SYSTEM_FIELDS = ['@timestamp', '@message', '@log'] as const;

/**
 * `timestampMs`: the CloudWatch timestamp when the input carries one (aws CLI output); otherwise
 * the line's own `time` stands in for it (the SDK writes the line when it logs it, so the two
 * differ by the delivery delay only).
 */
export function eventFromLine(text: string, timestampMs?: number, logGroup?: string): QueryEvent {
  let json: Record<string, unknown> | undefined;
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        json = parsed as Record<string, unknown>;
    } catch {
      json = undefined;
    }
  }
  const ts = timestampMs ?? (json && Object.hasOwn(json, 'time') ? normalizeTime(json['time'])?.ms : undefined);
  return { message: text, timestampMs: ts, logGroup: logGroup ?? groupOf(json), json };
}

/**
 * Files do not say which log group a line came from; the component it names does (the guide's
 * mapping, contract/summary-event.ts). CloudWatch's @log is `account-id:group`; the account is
 * not known here, so the local @log is the group alone.
 */
function groupOf(json: Record<string, unknown> | undefined): string | undefined {
  const component = json ? lookupPath(json, 'context.component') : undefined;
  return typeof component === 'string' && Object.hasOwn(LOG_GROUPS, component)
    ? LOG_GROUPS[component as Component]
    : undefined;
}

export function eventField(event: QueryEvent, name: string): Value {
  if (name === '@timestamp') return event.timestampMs;
  if (name === '@message') return event.message;
  if (name === '@log') return event.logGroup;
  return event.json ? lookupPath(event.json, name) : undefined;
}

/** @timestamp as Logs Insights prints it: `2024-05-01 12:00:00.000` (UTC). */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

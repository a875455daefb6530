/**
 * `bin(period)` in `stats … by`: @timestamp rounded down to a multiple of the period, counted from
 * the epoch (UTC). The stats page lists the units ms, s, m, h and d used here; months, quarters,
 * years and weeks depend on a calendar the page does not pin down, and are refused.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Stats.html
 */
import { QueryError } from './query-error.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function binPeriodMs(text: string): number {
  const m = /^(\d{1,9})(ms|s|m|h|d)$/i.exec(text);
  if (!m) throw new QueryError(`bin(${text.slice(0, 20)}): the local engine takes periods in ms, s, m, h or d`);
  const ms = Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
  if (ms <= 0) throw new QueryError('bin() needs a period above zero');
  return ms;
}

export function binStart(timestampMs: number, periodMs: number): number {
  return Math.floor(timestampMs / periodMs) * periodMs;
}

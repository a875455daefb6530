/**
 * The closing report: counts that add up (every line read is a summary event, a step-level line,
 * an ignored line or a rejected one, by reason) and what was written. Printed on stderr and, with
 * `--report FILE`, written as JSON. Keys of `rejected` and `notSent` are stable reason names.
 */

import type { DestinationReport } from './sinks/span-sink.js';

export interface BackfillCounters {
  linesRead: number;
  summaryEvents: number;
  stepLogs: number;
  /** JSON lines without a trace id (other log output of the services): not ours, not an error. */
  ignoredLines: number;
  rejected: Record<string, number>;
  traces: number;
  spansBuilt: number;
  duplicateEvents: number;
  duplicateStepLogs: number;
  unattachedStepLogs: number;
  /** Traces handed over before their window closed because too many traces were open. */
  forcedEmits: number;
  /** Most traces held in memory at once (bounded by the trace window, not by the input's length). */
  peakOpenTraces: number;
  /** Spans built but deliberately not sent (X-Ray limits), by reason. */
  notSent: Record<string, number>;
  /** Retried requests (CloudWatch throttling, 5xx, expired tokens; OTLP 429/5xx), by reason. */
  retries: Record<string, number>;
  /** Log groups that do not exist in the account/region (skipped). */
  missingLogGroups: string[];
  /**
   * Inputs that say they hold only part of what was asked for (aws CLI output with a NextToken, a
   * Logs Insights query that was not Complete): one message each, naming the input.
   */
  partialInputs: string[];
}

export interface BackfillReport extends BackfillCounters {
  /** Spans written; with several destinations, the most any one took (see `destinations`). */
  spansWritten: number;
  rejectedLines: number;
  durationMs: number;
  dryRun: boolean;
  resumed: boolean;
  sources: string[];
  output: string | null;
  /** With several destinations, what each one got. */
  destinations: DestinationReport[];
}

export function newCounters(): BackfillCounters {
  return {
    linesRead: 0,
    summaryEvents: 0,
    stepLogs: 0,
    ignoredLines: 0,
    rejected: Object.create(null) as Record<string, number>,
    traces: 0,
    spansBuilt: 0,
    duplicateEvents: 0,
    duplicateStepLogs: 0,
    unattachedStepLogs: 0,
    forcedEmits: 0,
    peakOpenTraces: 0,
    notSent: Object.create(null) as Record<string, number>,
    retries: Object.create(null) as Record<string, number>,
    missingLogGroups: [],
    partialInputs: [],
  };
}

/** Records that an input is partial (once per message: a resumed run reads the input again). */
export function notePartialInput(counters: BackfillCounters, message: string): boolean {
  if (counters.partialInputs.includes(message)) return false;
  counters.partialInputs.push(message);
  return true;
}

export function countInto(map: Record<string, number>, reason: string, n = 1): void {
  map[reason] = (map[reason] ?? 0) + n;
}

/** Counters restored from a checkpoint file (untrusted JSON: only known numeric keys survive). */
export function countersFromJson(value: unknown): BackfillCounters {
  const out = newCounters();
  if (typeof value !== 'object' || value === null) return out;
  const v = value as Record<string, unknown>;
  const numeric = [
    'linesRead',
    'summaryEvents',
    'stepLogs',
    'ignoredLines',
    'traces',
    'spansBuilt',
    'duplicateEvents',
    'duplicateStepLogs',
    'unattachedStepLogs',
    'forcedEmits',
    'peakOpenTraces',
  ] as const;
  for (const key of numeric) if (typeof v[key] === 'number' && Number.isFinite(v[key])) out[key] = v[key];
  for (const key of ['rejected', 'notSent', 'retries'] as const) {
    const m = v[key];
    if (typeof m !== 'object' || m === null) continue;
    for (const [k, n] of Object.entries(m)) if (typeof n === 'number' && Number.isFinite(n)) countInto(out[key], k, n);
  }
  if (Array.isArray(v['missingLogGroups']))
    out.missingLogGroups = v['missingLogGroups'].filter((g): g is string => typeof g === 'string');
  if (Array.isArray(v['partialInputs']))
    out.partialInputs = v['partialInputs'].filter((g): g is string => typeof g === 'string').slice(0, 1000);
  return out;
}

function sortedCounts(map: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key]!;
  return out;
}

export function finishReport(
  counters: BackfillCounters,
  extra: {
    spansWritten: number;
    durationMs: number;
    dryRun: boolean;
    resumed: boolean;
    sources: string[];
    output: string | null;
    destinations?: DestinationReport[];
  },
): BackfillReport {
  const rejected = sortedCounts(counters.rejected);
  return {
    ...counters,
    rejected,
    notSent: sortedCounts(counters.notSent),
    retries: sortedCounts(counters.retries),
    rejectedLines: Object.values(rejected).reduce((a, b) => a + b, 0),
    ...extra,
    destinations: extra.destinations ?? [],
  };
}

/** Human-readable summary for stderr. */
export function formatReport(report: BackfillReport): string {
  const lines = [
    `backfill ${report.dryRun ? '(dry run) ' : ''}${report.resumed ? '(resumed) ' : ''}finished in ${(report.durationMs / 1000).toFixed(1)}s`,
    `  lines read       ${report.linesRead}`,
    `  summary events   ${report.summaryEvents}`,
    `  step-level lines ${report.stepLogs}`,
    `  ignored lines    ${report.ignoredLines}`,
    `  rejected lines   ${report.rejectedLines}`,
  ];
  for (const [reason, n] of Object.entries(report.rejected)) lines.push(`    ${reason.padEnd(26)} ${n}`);
  lines.push(
    `  traces           ${report.traces}`,
    `  spans written    ${report.spansWritten}${report.dryRun ? ` (would write ${report.spansBuilt})` : ''}`,
  );
  for (const d of report.destinations) {
    const refused = Object.entries(d.notSent).map(([reason, n]) => `, not sent ${reason} ${n}`);
    lines.push(`    to ${d.name}: ${d.spansWritten}${refused.join('')}`);
  }
  if (report.duplicateEvents > 0) lines.push(`  duplicate events ${report.duplicateEvents}`);
  for (const [reason, n] of Object.entries(report.notSent)) lines.push(`  not sent: ${reason} ${n}`);
  for (const [reason, n] of Object.entries(report.retries)) lines.push(`  retried: ${reason} ${n}`);
  if (report.forcedEmits > 0) lines.push(`  traces emitted early (open-trace cap) ${report.forcedEmits}`);
  if (report.missingLogGroups.length > 0) lines.push(`  missing log groups: ${report.missingLogGroups.join(', ')}`);
  for (const message of report.partialInputs) lines.push(`  partial input: ${message}`);
  return lines.join('\n');
}

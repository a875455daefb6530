/**
 * Turns the command line's choice of input into source factories: files/stdin, or CloudWatch Logs
 * (the guide's three log groups by default, a time range, the standard AWS configuration — the
 * SDK itself reads AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS and AWS_ENDPOINT_URL).
 */
import { resolve } from 'node:path';
import { LOG_GROUPS } from '../../contract/summary-event.js';
import type { BackfillCounters } from '../report.js';
import type { RetryPolicy } from '../retry.js';
import type { SourceFactory } from '../source-types.js';
import { openFileSource, type FileSourceOptions } from './file-source.js';
import { sharedTokenBucket } from './token-bucket.js';

export const DEFAULT_LOG_GROUPS: readonly string[] = [LOG_GROUPS.core, LOG_GROUPS.orchestrator, LOG_GROUPS.worker];
/** FilterLogEvents: 5 TPS per account and region (DESIGN.md, "Facts"). */
export const FILTER_LOG_EVENTS_TPS = 5;

export interface NamedSource {
  id: string;
  open: SourceFactory;
}

export function fileSources(paths: readonly string[], options: FileSourceOptions = {}): NamedSource[] {
  return paths.map((p) => ({
    id: p === '-' ? 'stdin' : `file:${resolve(p)}`,
    open: (resumeAt) => openFileSource(p, resumeAt, options),
  }));
}

export interface CloudWatchChoice {
  logGroups: string[];
  startMs: number;
  endMs: number;
  region?: string;
  profile?: string;
  endpoint?: string;
  filterPattern?: string;
  windowMs?: number;
  requestsPerSecond?: number;
  retry?: RetryPolicy;
}

export function cloudWatchSource(choice: CloudWatchChoice, counters: BackfillCounters): NamedSource {
  const bucketKey = `${choice.region ?? process.env['AWS_REGION'] ?? ''}|${choice.profile ?? process.env['AWS_PROFILE'] ?? ''}|${choice.endpoint ?? ''}`;
  const limiter = sharedTokenBucket(bucketKey, choice.requestsPerSecond ?? FILTER_LOG_EVENTS_TPS);
  return {
    id: `cloudwatch:${choice.logGroups.join(',')}`,
    open: async (resumeAt) => {
      // Loaded on demand: file backfills should not pay for the AWS SDK's start-up.
      const { cloudWatchClient, openCloudWatchFilterSource } = await import('./cloudwatch-filter-source.js');
      return openCloudWatchFilterSource(
        {
          client: cloudWatchClient(choice),
          logGroups: choice.logGroups,
          startMs: choice.startMs,
          endMs: choice.endMs,
          limiter,
          counters,
          ...(choice.filterPattern !== undefined ? { filterPattern: choice.filterPattern } : {}),
          ...(choice.windowMs !== undefined ? { windowMs: choice.windowMs } : {}),
          ...(choice.retry !== undefined ? { retry: choice.retry } : {}),
        },
        resumeAt,
      );
    },
  };
}

/** One execution through Logs Insights (the runbook's query), for `trace --insights`. */
export function insightsSource(
  choice: Omit<CloudWatchChoice, 'filterPattern' | 'windowMs'>,
  traceId: string,
  counters: BackfillCounters,
): NamedSource {
  return {
    id: `insights:${choice.logGroups.join(',')}`,
    open: async () => {
      const { cloudWatchClient } = await import('./cloudwatch-filter-source.js');
      const { openInsightsSource } = await import('./cloudwatch-insights-source.js');
      return openInsightsSource({
        client: cloudWatchClient(choice),
        logGroups: choice.logGroups,
        startMs: choice.startMs,
        endMs: choice.endMs,
        traceId,
        counters,
        ...(choice.retry !== undefined ? { retry: choice.retry } : {}),
      });
    },
  };
}

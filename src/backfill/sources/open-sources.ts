/**
 * Turns the command line's choice of input into source factories: files/stdin, S3 prefixes, or CloudWatch Logs
 * (the guide's three log groups by default, a time range, the standard AWS configuration — the
 * SDK itself reads AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS and AWS_ENDPOINT_URL).
 */
import { resolve } from 'node:path';
import { LOG_GROUPS } from '../../contract/summary-event.js';
import type { BackfillCounters } from '../report.js';
import type { RetryPolicy } from '../retry.js';
import type { SourceFactory } from '../source-types.js';
import type { InsightsProgress } from './cloudwatch-insights-range-source.js';
import { openFileSource, type FileSourceOptions } from './file-source.js';
import { sharedTokenBucket, type TokenBucket } from './token-bucket.js';

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

export interface InputChoice extends FileSourceOptions {
  /** For `s3://` inputs: otherwise the AWS default configuration. */
  region?: string;
  profile?: string;
}

/**
 * `--input` as given, in order: local paths and stdin as files, each `s3://bucket/prefix` as the
 * series of objects under it (s3-source.ts; listed now, so the run's fingerprint can hold the
 * listing). `listing` is undefined when there is no S3 input.
 */
export async function inputSources(
  inputs: readonly string[],
  choice: InputChoice = {},
): Promise<{ sources: NamedSource[]; listing: string | undefined }> {
  const { region, profile, ...fileOptions } = choice;
  const sources: NamedSource[] = [];
  const allSeries = [];
  let s3: typeof import('./s3-source.js') | undefined;
  let client: import('@aws-sdk/client-s3').S3Client | undefined;
  for (const input of inputs) {
    if (!input.startsWith('s3://')) {
      sources.push(...fileSources([input], fileOptions));
      continue;
    }
    // Loaded on demand: file backfills should not pay for the AWS SDK's start-up.
    s3 ??= await import('./s3-source.js');
    client ??= s3.s3Client({ ...(region ? { region } : {}), ...(profile ? { profile } : {}) });
    const { openS3SeriesSource } = s3;
    const c = client;
    for (const series of await s3.listS3Series(c, input)) {
      allSeries.push(series);
      sources.push({
        id: series.id,
        open: (resumeAt) => Promise.resolve(openS3SeriesSource(c, series, resumeAt, fileOptions)),
      });
    }
  }
  return { sources, listing: s3 ? s3.listingDigest(allSeries) : undefined };
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

/**
 * The process's one FilterLogEvents bucket for an account+region (told apart by region, profile and
 * endpoint): `backfill`, `trace` and `follow` all take from it.
 */
export function cloudWatchBucket(choice: {
  region?: string;
  profile?: string;
  endpoint?: string;
  requestsPerSecond?: number;
}): TokenBucket {
  const bucketKey = `${choice.region ?? process.env['AWS_REGION'] ?? ''}|${choice.profile ?? process.env['AWS_PROFILE'] ?? ''}|${choice.endpoint ?? ''}`;
  return sharedTokenBucket(bucketKey, choice.requestsPerSecond ?? FILTER_LOG_EVENTS_TPS);
}

export function cloudWatchSource(choice: CloudWatchChoice, counters: BackfillCounters): NamedSource {
  const limiter = cloudWatchBucket(choice);
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

/** Which API reads a CloudWatch range: Logs Insights (bulk) or FilterLogEvents. */
export type CloudWatchReader = 'insights' | 'filter';
/**
 * Ranges longer than this are read with Logs Insights unless the user says otherwise: up to an
 * hour, FilterLogEvents' few calls are as quick and cost no query (Insights bills the data it
 * scans), beyond it one query per window of all groups beats paging group by group at 5 TPS.
 */
export const INSIGHTS_RANGE_THRESHOLD_MS = 60 * 60_000;

export function chooseReader(range: { startMs: number; endMs: number }, asked?: CloudWatchReader): CloudWatchReader {
  return asked ?? (range.endMs - range.startMs > INSIGHTS_RANGE_THRESHOLD_MS ? 'insights' : 'filter');
}

export interface InsightsRangeChoice extends Omit<CloudWatchChoice, 'filterPattern' | 'requestsPerSecond'> {
  maxConcurrentQueries?: number;
  signal?: AbortSignal;
  onProgress?: (progress: InsightsProgress) => void;
}

/** A CloudWatch range through Logs Insights queries over time windows (`backfill --source insights`). */
export function insightsRangeSource(choice: InsightsRangeChoice, counters: BackfillCounters): NamedSource {
  return {
    id: `cloudwatch-insights:${choice.logGroups.join(',')}`,
    open: async (resumeAt) => {
      const { cloudWatchClient } = await import('./cloudwatch-filter-source.js');
      const { openInsightsRangeSource } = await import('./cloudwatch-insights-range-source.js');
      return openInsightsRangeSource(
        {
          client: cloudWatchClient(choice),
          logGroups: choice.logGroups,
          startMs: choice.startMs,
          endMs: choice.endMs,
          counters,
          ...(choice.windowMs !== undefined ? { windowMs: choice.windowMs } : {}),
          ...(choice.maxConcurrentQueries !== undefined ? { maxConcurrentQueries: choice.maxConcurrentQueries } : {}),
          ...(choice.retry !== undefined ? { retry: choice.retry } : {}),
          ...(choice.signal !== undefined ? { signal: choice.signal } : {}),
          ...(choice.onProgress !== undefined ? { onProgress: choice.onProgress } : {}),
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

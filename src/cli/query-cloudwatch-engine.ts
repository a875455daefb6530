/**
 * The CloudWatch engine as `alakai-otel query` runs it: the client from the AWS flags (or the
 * standard configuration), the sources' retry rule (throttling and LimitExceededException backed
 * off and retried), progress on stderr, and Ctrl-C / SIGTERM stopping the running query
 * (StopQuery: a query left behind holds one of the account's concurrent-query slots).
 */
import type { BackfillCounters } from '../backfill/report.js';
import { DEFAULT_RETRY, sleep } from '../backfill/retry.js';
import type { CloudWatchChoice } from '../backfill/sources/open-sources.js';
import type { QueryResult } from '../query/engine.js';
import type { QueryEngine, TimeWindow } from '../query/query-engine.js';

/** How long an interrupted run waits for its StopQuery to go out. */
const STOP_GRACE_MS = 3000;

export function cloudWatchQueryEngine(
  choice: CloudWatchChoice,
  counters: BackfillCounters,
  onProgress: (line: string) => void,
): QueryEngine {
  return {
    name: 'cloudwatch',
    async run(queryText: string, window: TimeWindow | undefined): Promise<QueryResult> {
      // Loaded on demand: file queries should not pay for the AWS SDK's start-up.
      const { cloudWatchClient } = await import('../backfill/sources/cloudwatch-filter-source.js');
      const { sendWithAwsRetry } = await import('../backfill/sources/aws-errors.js');
      const { cloudWatchEngine } = await import('../query/cloudwatch-engine.js');
      const aborter = new AbortController();
      const stops: Promise<unknown>[] = [];
      const onSignal = (): void => aborter.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        return await cloudWatchEngine({
          client: cloudWatchClient(choice),
          logGroups: choice.logGroups,
          send: sendWithAwsRetry(choice.retry ?? DEFAULT_RETRY, counters.retries),
          sleep,
          signal: aborter.signal,
          onStop: (sent) => stops.push(sent),
          onProgress,
        }).run(queryText, window);
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        if (stops.length > 0) {
          const grace = new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
          await Promise.race([Promise.allSettled(stops), grace]);
        }
      }
    },
  };
}

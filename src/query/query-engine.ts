/**
 * The seam between `alakai-otel query` and an engine. The local engine (cli/query-local-engine.ts)
 * reads files and S3 objects; the CloudWatch engine (cloudwatch-engine.ts: StartQuery, polling,
 * GetQueryResults, window splits) gives the same result shape, so both print and compare alike.
 */
import type { QueryResult } from './engine.js';

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

export interface QueryEngine {
  /** Which engine answered, for --json (`local`, `cloudwatch`). */
  readonly name: string;
  /** Runs one query; throws QueryError for a query it refuses, SourceUserError for unusable input. */
  run(queryText: string, window: TimeWindow | undefined): Promise<QueryResult>;
}

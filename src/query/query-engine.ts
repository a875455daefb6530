/**
 * The seam between `alakai-otel query` and an engine. The local engine (local-engine.ts in the
 * CLI) reads files; a CloudWatch engine (StartQuery, polling, GetQueryResults) plugs in here with
 * the same result shape, so both print and compare alike.
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

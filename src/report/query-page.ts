/** `alakai-otel query --html FILE`: one query's charts (result-charts.ts decides which) and its table. */
import type { QueryResult } from '../query/engine.js';
import type { TimeWindow } from '../query/query-engine.js';
import { windowText } from './window-text.js';
import type { PageDoc } from './page-model.js';
import { chartsForResult } from './result-charts.js';
import { resultTable } from './result-table.js';

export interface QueryPageFacts {
  /** The named query's title (`Slow executions …`) or undefined for --query TEXT. */
  title: string | undefined;
  engine: string;
  /** What was read: `3 files`, `CloudWatch Logs: /ecs/…`. */
  source: string;
  /** The time window, or undefined for all the input. */
  window: TimeWindow | undefined;
  generatedAt: Date;
}

export function queryPageDoc(queryText: string, result: QueryResult, facts: QueryPageFacts): PageDoc {
  const { charts, reason } = chartsForResult(queryText, result, facts.window);
  const stats = result.statistics;
  const notes = [
    `${result.rows.length} row${result.rows.length === 1 ? '' : 's'}; ${stats.recordsMatched} of ${stats.recordsScanned} events matched.`,
  ];
  if (result.truncated)
    notes.push('TRUNCATED: more rows matched than shown (the query’s limit, or the 10,000-row maximum).');
  if (charts.length === 0 && reason) notes.push(`No chart: ${reason}.`);
  return {
    title: `alakai-otel query: ${facts.title ?? 'custom query'}`,
    facts: [
      `engine: ${facts.engine}; input: ${facts.source}`,
      `window: ${facts.window ? windowText(facts.window) : 'all of the input'}`,
      `made ${facts.generatedAt.toISOString()}`,
    ],
    sections: [{ id: 'result', heading: 'Result', notes, charts, table: resultTable(result), queries: [queryText] }],
  };
}

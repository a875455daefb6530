/** A query result as table cells: the same text the terminal table, CSV and the page show. */
import type { QueryResult, ResultRow } from '../query/engine.js';
import type { TableSpec } from './page-model.js';

/** A missing column is an empty cell (GetQueryResults leaves it out); null is shown as `null`. */
export function resultCell(v: ResultRow[string] | undefined): string {
  return v === undefined ? '' : v === null ? 'null' : String(v);
}

export function resultTable(result: QueryResult): TableSpec {
  return {
    columns: result.columns,
    rows: result.rows.map((r) => result.columns.map((c) => resultCell(r[c]))),
    empty: 'No rows matched.',
  };
}

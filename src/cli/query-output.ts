/** `alakai-otel query`'s three outputs: an aligned table (trace's style), JSON, CSV. */
import type { QueryResult } from '../query/engine.js';
import { resultCell as cell } from '../report/result-table.js';
import { clean, table } from './trace.js';

export function formatQueryTable(result: QueryResult): string {
  const lines = [
    table(
      result.columns.map((c) => clean(c, 60)),
      result.rows.map((r) => result.columns.map((c) => clean(cell(r[c]) || '-', 80))),
    ),
    '',
    `${result.rows.length} row${result.rows.length === 1 ? '' : 's'}; ${result.statistics.recordsMatched} of ${result.statistics.recordsScanned} events matched${result.truncated ? '; TRUNCATED: more rows matched than shown (limit, or the 10,000-row maximum)' : ''}`,
  ];
  return lines.join('\n');
}

/**
 * RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. A cell that a
 * spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe.
 * https://www.rfc-editor.org/rfc/rfc4180 ; https://owasp.org/www-community/attacks/CSV_Injection
 */
function csvField(text: string, header = false): string {
  const safe = !header && /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function formatQueryCsv(result: QueryResult): string {
  // Column names are the query's own (`@timestamp`), not log text: no formula guard there.
  const lines = [result.columns.map((c) => csvField(c, true)).join(',')];
  for (const r of result.rows) lines.push(result.columns.map((c) => csvField(cell(r[c]))).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function queryJson(engine: string, queryText: string, result: QueryResult): string {
  return JSON.stringify(
    {
      engine,
      query: queryText,
      columns: result.columns,
      rows: result.rows,
      statistics: result.statistics,
      truncated: result.truncated,
      ...(result.truncatedBecause !== undefined ? { truncatedBecause: result.truncatedBecause } : {}),
      ...(result.windows !== undefined ? { windows: result.windows } : {}),
    },
    null,
    2,
  );
}

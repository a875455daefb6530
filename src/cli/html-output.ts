/** `--html FILE` for query and report: the file is checked before anything runs, then written whole. */
import type { QueryResult } from '../query/engine.js';
import type { PageDoc } from '../report/page-model.js';
import { queryPageDoc, type QueryPageFacts } from '../report/query-page.js';
import { renderPage } from '../report/render-page.js';
import { writePage } from '../report/write-page.js';
import { checkOutputPaths } from './output-paths.js';
import { reportFailure } from './report-failure.js';

/** Refuses (UsageError) a --html FILE that is one of the inputs or cannot be written. */
export async function checkHtmlOutput(path: string | undefined, inputs: readonly string[]): Promise<void> {
  if (path !== undefined) await checkOutputPaths(inputs, [{ flag: '--html', path, viaTempFile: true }]);
}

/** Renders and writes the page; exit code 0, or 1 (reportFailure) when it cannot be written. */
export async function writeHtmlPage(command: string, path: string, doc: PageDoc): Promise<number> {
  try {
    await writePage(path, renderPage(doc));
  } catch (err) {
    return reportFailure(command, err);
  }
  process.stderr.write(`alakai-otel ${command}: wrote ${path} (open it in a browser; it needs no network)\n`);
  return 0;
}

export function writeQueryPage(
  path: string,
  queryText: string,
  result: QueryResult,
  facts: Omit<QueryPageFacts, 'generatedAt'>,
): Promise<number> {
  return writeHtmlPage('query', path, queryPageDoc(queryText, result, { ...facts, generatedAt: new Date() }));
}

export function inputsText(inputs: readonly string[]): string {
  const shown = inputs.slice(0, 5).join(', ');
  return `${inputs.length} file${inputs.length === 1 ? '' : 's'} (${shown}${inputs.length > 5 ? ', …' : ''})`;
}

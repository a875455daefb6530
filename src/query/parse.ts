/**
 * Query text → AST, through the parser peggy generates from grammar.peggy. Errors come out as one
 * QueryError line: where, and what was expected (peggy's own message, cut short).
 */
import type { Query } from './ast.js';
import * as generated from './parser.generated.js';
import { QueryError } from './query-error.js';

/**
 * StartQuery refuses longer query strings (queryString: "Maximum length of 10000").
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html
 */
export const MAX_QUERY_LENGTH = 10_000;
/** Parentheses and brackets nested deeper than this are refused before parsing (no stack overflow). */
export const MAX_NESTING = 64;

interface PeggyError {
  message: string;
  location?: { start?: { line?: number; column?: number } };
}

function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[') max = Math.max(max, ++depth);
    else if (c === ')' || c === ']') depth--;
  }
  return max;
}

function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- control characters never reach the terminal
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function parseQuery(text: string): Query {
  if (text.trim().length === 0) throw new QueryError('the query is empty');
  if (text.length > MAX_QUERY_LENGTH)
    throw new QueryError(`the query is longer than ${MAX_QUERY_LENGTH} characters (CloudWatch's limit)`);
  // Regex literals are not skipped here, so a `(` inside /…/ counts: the bound is generous.
  if (nestingDepth(text) > MAX_NESTING)
    throw new QueryError(`the query nests parentheses or brackets deeper than ${MAX_NESTING} levels`);
  try {
    return (generated.parse as (input: string) => Query)(text);
  } catch (err) {
    if (err instanceof generated.SyntaxError) {
      const e = err as PeggyError;
      const at = e.location?.start;
      throw new QueryError(
        `syntax error at line ${at?.line ?? '?'}, column ${at?.column ?? '?'}: ${oneLine(e.message, 160)}`,
      );
    }
    if (err instanceof RangeError) throw new QueryError('the query is nested too deeply to parse');
    throw err;
  }
}

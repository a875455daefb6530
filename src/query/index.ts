/** The Logs Insights subset, evaluated locally: parse, compile, run. */
export { parseQuery, MAX_QUERY_LENGTH } from './parse.js';
export { compileQuery, runQuery, MAX_RESULT_ROWS, type QueryResult, type ResultRow, type QueryRun } from './engine.js';
export { eventFromLine, formatTimestamp, type QueryEvent } from './event.js';
export { QueryError } from './query-error.js';
export { GUIDE_QUERIES, fillQuery, guideQuery, type NamedQuery } from './guide-queries.js';
export type { QueryEngine, TimeWindow } from './query-engine.js';

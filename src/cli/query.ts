/**
 * `alakai-otel query`: the guide's common queries by name (`query errors`, `query slow --over 10m`,
 * …), any Logs Insights query with --query, and --list to print them for the console. Files are
 * queried by the local engine (src/query/); querying CloudWatch Logs itself is not built yet.
 */
import { flag, flagAll, hasFlag, parseArgs, parseDuration, UsageError, type FlagSpec } from './args.js';
import { INPUT_FLAGS, partialInputNotice, timeRange } from './inputs.js';
import { reportFailure } from './report-failure.js';
import { newCounters } from '../backfill/report.js';
import { fillQuery, GUIDE_QUERIES, guideQuery } from '../query/guide-queries.js';
import { QueryError } from '../query/query-error.js';
import { localFileEngine } from './query-local-engine.js';
import { formatQueryCsv, formatQueryTable, queryJson } from './query-output.js';
import { checkHtmlOutput, inputsText, writeQueryPage } from './html-output.js';

const FLAGS: Record<string, FlagSpec> = {
  ...INPUT_FLAGS,
  query: { value: true },
  list: {},
  event: { value: true },
  component: { value: true },
  over: { value: true },
  json: {},
  csv: {},
  html: { value: true },
  help: {},
};

export const QUERY_HELP = `usage: alakai-otel query NAME [flags] --input FILE…
       alakai-otel query --query 'TEXT' --input FILE…
       alakai-otel query --list

Runs the execution tracing guide's common queries, or any Logs Insights query in the subset
docs/query.md lists, over log files (the same inputs as backfill --input).

  errors [--event EVENT]                   recent errors (for one event type with --event)
  slow [--component worker] [--over 5m]    slices slower than --over (default: worker, 5m)
  repo ORG/REPO                            implementations for a repository
  slack-user SLACK_USER_ID                 Slack command failures by user
  slots                                    orchestrator slot contention
  percentiles                              p90 / p99 duration per event and component

  --input FILE…        log files (NDJSON, or aws CLI JSON); - = stdin
  --since D | --start T [--end T]   only events with @timestamp in that window
  --query TEXT         run TEXT instead of a named query
  --list               print each named query with its full text, for the Logs Insights console
  --json | --csv       print JSON (with the query's statistics) or CSV instead of a table
  --html FILE          write a page instead: the table and charts (self-contained, works offline)
Exit: 0 answered, 1 failed, 2 usage error or refused query.`;

const POSITIONAL_PARAM: Record<string, string> = { repo: 'repo', 'slack-user': 'user' };

function listText(): string {
  return GUIDE_QUERIES.map((q) => `# ${q.title}  (alakai-otel query ${q.usage})\n${fillQuery(q)}\n`).join('\n');
}

/** The query text the command line asks for. */
function chosenQuery(positionals: string[], args: ReturnType<typeof parseArgs>): string {
  const text = flag(args, 'query');
  const [name, ...rest] = positionals;
  if (text !== undefined) {
    if (name !== undefined) throw new UsageError('give a query NAME or --query TEXT, not both');
    return text;
  }
  if (name === undefined)
    throw new UsageError(
      `needs a query NAME (${GUIDE_QUERIES.map((q) => q.name.split(' ')[0])
        .filter((n, i, a) => a.indexOf(n) === i)
        .join(', ')}) or --query TEXT`,
    );
  const event = flag(args, 'event');
  const component = flag(args, 'component');
  const over = flag(args, 'over');
  if (event !== undefined && name !== 'errors') throw new UsageError('--event goes with query errors');
  if ((component !== undefined || over !== undefined) && name !== 'slow')
    throw new UsageError('--component and --over go with query slow');
  const q = guideQuery(name === 'errors' && event !== undefined ? 'errors --event' : name);
  if (!q) throw new UsageError(`unknown query "${name.slice(0, 40)}" (alakai-otel query --list shows them)`);
  const param = POSITIONAL_PARAM[name];
  if (param ? rest.length !== 1 : rest.length !== 0)
    throw new UsageError(param ? `query ${q.usage}: needs exactly one ${param}` : `query ${name} takes no arguments`);
  try {
    return fillQuery(q, {
      ...(param ? { [param]: rest[0] } : {}),
      ...(event !== undefined ? { event } : {}),
      ...(component !== undefined ? { component } : {}),
      ...(over !== undefined ? { over_ms: String(parseDuration(over, '--over')) } : {}),
    });
  } catch (err) {
    if (err instanceof QueryError) throw new UsageError(err.message);
    throw err;
  }
}

export async function queryCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (hasFlag(args, 'help')) {
    process.stdout.write(QUERY_HELP + '\n');
    return 0;
  }
  if (hasFlag(args, 'list')) {
    if (args.positionals.length > 0 || flag(args, 'query') !== undefined) throw new UsageError('--list takes no query');
    process.stdout.write(listText());
    return 0;
  }
  if (['json', 'csv', 'html'].filter((f) => hasFlag(args, f)).length > 1)
    throw new UsageError('give one of --json, --csv or --html');
  const text = chosenQuery(args.positionals, args);
  const inputs = flagAll(args, 'input');
  if (inputs.length === 0)
    throw new UsageError(
      'needs --input FILE… (querying CloudWatch Logs directly is not built yet; `aws logs filter-log-events` output works as --input)',
    );
  for (const f of ['log-group', 'region', 'profile', 'endpoint'])
    if (hasFlag(args, f)) throw new UsageError(`--${f} is for CloudWatch Logs, not --input files`);
  const window = timeRange(args, Date.now());
  const html = flag(args, 'html');
  await checkHtmlOutput(html, inputs);
  const counters = newCounters();
  const engine = localFileEngine(inputs, { onPartial: partialInputNotice('query', counters) });
  let result;
  try {
    result = await engine.run(text, window);
  } catch (err) {
    if (err instanceof QueryError) {
      process.stderr.write(`alakai-otel query: ${err.message}\n`);
      return 2;
    }
    return reportFailure('query', err);
  }
  if (html !== undefined) {
    const facts = { engine: engine.name, source: inputsText(inputs), window };
    return writeQueryPage(html, text, result, { ...facts, title: args.positionals.join(' ') || undefined });
  }
  if (hasFlag(args, 'json')) process.stdout.write(queryJson(engine.name, text, result) + '\n');
  else if (hasFlag(args, 'csv')) process.stdout.write(formatQueryCsv(result));
  else process.stdout.write(formatQueryTable(result) + '\n');
  return 0;
}

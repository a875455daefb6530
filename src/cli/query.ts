/**
 * `alakai-otel query`: the guide's common queries by name (`query errors`, `query slow --over 10m`,
 * …), any Logs Insights query with --query, and --list to print them for the console. Without
 * --input, Logs Insights answers over the log groups (query-cloudwatch-engine.ts); with --input,
 * the local engine (src/query/) reads the files or S3 objects.
 */
import { flag, flagAll, hasFlag, parseArgs, parseDuration, UsageError, type FlagSpec } from './args.js';
import { INPUT_FLAGS, timeRange } from './inputs.js';
import { reportFailure } from './report-failure.js';
import { fillQuery, GUIDE_QUERIES, guideQuery } from '../query/guide-queries.js';
import { QueryError } from '../query/query-error.js';
import { queryEngineFor } from './query-engine-choice.js';
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

export const QUERY_HELP = `usage: alakai-otel query NAME [flags] [--since 24h | --start T [--end T]] [--log-group NAME…]
       alakai-otel query NAME [flags] --input FILE|s3://BUCKET/PREFIX…
       alakai-otel query --query 'TEXT' …
       alakai-otel query --list

Runs the execution tracing guide's common queries, or any Logs Insights query: through Logs
Insights over the guide's three log groups, or with --input over log files and S3 objects (the
same inputs as backfill --input) in the subset docs/query.md lists.

  errors [--event EVENT]                   recent errors (for one event type with --event)
  slow [--component worker] [--over 5m]    slices slower than --over (default: worker, 5m)
  repo ORG/REPO                            implementations for a repository
  slack-user SLACK_USER_ID                 Slack command failures by user
  slots                                    orchestrator slot contention
  percentiles                              p90 / p99 duration per event and component

  --since D | --start T [--end T]   the time range (CloudWatch default: the last 24h; files: all)
  --log-group NAME…    CloudWatch log groups (default: the guide's three)
  --region R --profile P --endpoint URL   AWS settings (default: the standard AWS configuration;
                       for s3:// inputs --region/--profile, and AWS_ENDPOINT_URL_S3)
  --input FILE…        log files (NDJSON, aws CLI JSON, gzip), s3://BUCKET/PREFIX (export-task
                       objects, Firehose deliveries); - = stdin
  --query TEXT         run TEXT instead of a named query
  --list               print each named query with its full text, for the Logs Insights console
  --json | --csv       print JSON (with the query's statistics) or CSV instead of a table
  --html FILE          write a page instead: the table and charts (self-contained, works offline)
A CloudWatch answer cut off at the 10,000-row cap is split by time window and merged where the
query allows it (sort with limit, count/sum/min/max stats); otherwise it is said truncated.
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

const DAY_MS = 24 * 60 * 60_000;

function lastDay(nowMs: number): { startMs: number; endMs: number } {
  return { startMs: nowMs - DAY_MS, endMs: nowMs };
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
  const now = Date.now();
  const range = timeRange(args, now);
  const engine = queryEngineFor('query', args, range ?? lastDay(now));
  // Files are read whole unless a range is given; CloudWatch needs one.
  const window = range ?? (engine.name === 'cloudwatch' ? lastDay(now) : undefined);
  const inputs = flagAll(args, 'input');
  const html = flag(args, 'html');
  await checkHtmlOutput(html, inputs);
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
  if (result.truncatedBecause)
    process.stderr.write(`alakai-otel query: warning: TRUNCATED: ${result.truncatedBecause}\n`);
  if (html !== undefined) {
    const source = inputs.length > 0 ? inputsText(inputs) : `CloudWatch Logs`;
    const facts = { engine: engine.name, source, window };
    return writeQueryPage(html, text, result, { ...facts, title: args.positionals.join(' ') || undefined });
  }
  if (hasFlag(args, 'json')) process.stdout.write(queryJson(engine.name, text, result) + '\n');
  else if (hasFlag(args, 'csv')) process.stdout.write(formatQueryCsv(result));
  else process.stdout.write(formatQueryTable(result) + '\n');
  return 0;
}

/**
 * Where rebuilt spans go, chosen alike by `backfill` and `trace --export`: an OTLP/JSON lines file
 * (`--output`), one or more OTLP/HTTP endpoints (`--otlp-endpoint`, repeatable; the OTel
 * environment when neither is given), or several of them in one run — say everything to Jaeger
 * and a file, and the last 14 days to X-Ray too. The report counts per destination.
 *
 * X-Ray's OTLP endpoint is recognised by its host and gets SigV4-signed, gzip'd requests cut to
 * its limits, with the spans it would refuse counted by reason (otlp-transport/). `--sigv4 xray`
 * forces that for endpoints with other hosts (a VPC endpoint's private DNS, a proxy, a test fake);
 * `--xray` applies the limits without signing (a Collector that forwards to X-Ray, say).
 */
import type { BackfillCounters } from '../backfill/report.js';
import { DestinationsSink, type Destination } from '../backfill/sinks/destinations-sink.js';
import { OtlpFileSink } from '../backfill/sinks/otlp-file-sink.js';
import { OtlpHttpSink, defaultOtlpEndpoint } from '../backfill/sinks/otlp-http-sink.js';
import { NullSink, type SpanSink } from '../backfill/sinks/span-sink.js';
import { XrayFilterSink } from '../backfill/sinks/xray-filter-sink.js';
import { shownEndpoint } from '../otlp-transport/otlp-post.js';
import { SigV4ConfigError, sigv4TargetFor, type SigV4Target } from '../otlp-transport/sigv4-target.js';
import { flag, flagAll, hasFlag, UsageError, type FlagSpec, type ParsedArgs } from './args.js';

/** The output flags of `backfill` (and of `trace --export`). */
export const DESTINATION_FLAGS: Readonly<Record<string, FlagSpec>> = {
  output: { value: true },
  'otlp-endpoint': { value: true, many: true },
  sigv4: { value: true },
  xray: {},
};

export interface OtlpDestination {
  endpoint: string;
  /** Sign each request with SigV4 (X-Ray's own host, or forced with --sigv4). */
  sigv4?: SigV4Target;
  /** Keep to X-Ray's limits: cut and gzip batches, count refused spans. */
  xray: boolean;
}

export interface DestinationChoice {
  output?: string;
  endpoints: OtlpDestination[];
}

function checkedEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`--otlp-endpoint is not a URL: "${endpoint.slice(0, 80)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError('--otlp-endpoint must be http:// or https://');
  return endpoint;
}

/** --output, --otlp-endpoint… (or the OTel environment), --sigv4, --xray; at least one when `required`. */
export function chooseDestinations(
  args: ParsedArgs,
  required: boolean,
  env: NodeJS.ProcessEnv = process.env,
): DestinationChoice {
  const output = flag(args, 'output');
  const given = flagAll(args, 'otlp-endpoint');
  const endpoints = given.length > 0 || output ? given : [defaultOtlpEndpoint(env)].filter((e) => e !== undefined);
  if (required && !output && endpoints.length === 0)
    throw new UsageError('needs --output FILE or --otlp-endpoint URL (or OTEL_EXPORTER_OTLP_ENDPOINT)');
  if (new Set(endpoints).size !== endpoints.length) throw new UsageError('the same --otlp-endpoint is given twice');
  const forced = flag(args, 'sigv4');
  if (forced !== undefined && endpoints.length === 0) throw new UsageError('--sigv4 goes with --otlp-endpoint');
  const xrayFlag = hasFlag(args, 'xray');
  const choice: DestinationChoice = { endpoints: [] };
  if (output) choice.output = output;
  for (const endpoint of endpoints) {
    let sigv4: SigV4Target | undefined;
    try {
      sigv4 = sigv4TargetFor(checkedEndpoint(endpoint), forced, env);
    } catch (err) {
      if (err instanceof SigV4ConfigError) throw new UsageError(`--sigv4: ${err.message}`);
      throw err;
    }
    choice.endpoints.push({ endpoint, xray: xrayFlag || sigv4?.service === 'xray', ...(sigv4 ? { sigv4 } : {}) });
  }
  return choice;
}

/** Each destination as the report names it: the file as given, endpoints by scheme, host and path. */
export function destinationNames(choice: DestinationChoice): string[] {
  return [...(choice.output ? [choice.output] : []), ...choice.endpoints.map((e) => shownEndpoint(e.endpoint))];
}

export interface OpenOptions {
  dryRun: boolean;
  /** The run's counters: X-Ray refusals add up in `notSent`. */
  counters: BackfillCounters;
  onRetry?: (reason: string) => void;
}

function httpSink(d: OtlpDestination, onRetry?: (reason: string) => void): OtlpHttpSink {
  return new OtlpHttpSink({
    endpoint: d.endpoint,
    xray: d.xray,
    ...(d.sigv4 ? { sigv4: d.sigv4 } : {}),
    ...(onRetry ? { onRetry } : {}),
  });
}

/**
 * Opens the chosen destinations (nothing is written in a dry run, but X-Ray's refusals are still
 * counted). One destination is its sink as is; several are one DestinationsSink.
 */
export function destinationsOpener(
  choice: DestinationChoice,
  options: OpenOptions,
): (resume?: { bytes: number; spans: number }) => Promise<SpanSink> {
  return async (resume) => {
    const list: Destination[] = [];
    if (choice.output) {
      const sink = options.dryRun ? new NullSink() : await OtlpFileSink.open(choice.output, resume);
      list.push({ name: choice.output, sink });
    }
    for (const d of choice.endpoints) {
      const inner: SpanSink = options.dryRun ? new NullSink() : httpSink(d, options.onRetry);
      if (resume && inner instanceof OtlpHttpSink) inner.spansWritten = resume.spans;
      const sink = d.xray ? new XrayFilterSink(inner, options.counters.notSent) : inner;
      list.push({
        name: shownEndpoint(d.endpoint),
        sink,
        ...(sink instanceof XrayFilterSink ? { notSent: sink.notSent } : {}),
      });
    }
    if (list.length === 0) return new NullSink();
    return list.length === 1 ? list[0]!.sink : new DestinationsSink(list);
  };
}

/**
 * Where rebuilt spans go, chosen alike by `backfill` and `trace --export`: an OTLP/JSON lines file
 * or an OTLP/HTTP endpoint (the OTel environment by default), and the sink that writes there.
 */
import { OtlpFileSink } from '../backfill/sinks/otlp-file-sink.js';
import { OtlpHttpSink, defaultOtlpEndpoint } from '../backfill/sinks/otlp-http-sink.js';
import { NullSink, type SpanSink } from '../backfill/sinks/span-sink.js';
import { isXrayEndpoint } from '../backfill/sinks/xray-limits.js';
import { flag, hasFlag, UsageError, type ParsedArgs } from './args.js';

export interface SinkChoice {
  output?: string;
  otlpEndpoint?: string;
  xray: boolean;
}

/** --output / --otlp-endpoint (or the OTel environment); exactly one. */
export function chooseSink(args: ParsedArgs, required: boolean): SinkChoice {
  const output = flag(args, 'output');
  let otlpEndpoint = flag(args, 'otlp-endpoint');
  if (output && otlpEndpoint) throw new UsageError('give --output or --otlp-endpoint, not both');
  if (!output && !otlpEndpoint) otlpEndpoint = defaultOtlpEndpoint();
  if (required && !output && !otlpEndpoint)
    throw new UsageError('needs --output FILE or --otlp-endpoint URL (or OTEL_EXPORTER_OTLP_ENDPOINT)');
  if (otlpEndpoint) {
    let url: URL;
    try {
      url = new URL(otlpEndpoint);
    } catch {
      throw new UsageError(`--otlp-endpoint is not a URL: "${otlpEndpoint.slice(0, 80)}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UsageError('--otlp-endpoint must be http:// or https://');
  }
  const choice: SinkChoice = {
    xray: hasFlag(args, 'xray') || (otlpEndpoint !== undefined && isXrayEndpoint(otlpEndpoint)),
  };
  if (output) choice.output = output;
  else if (otlpEndpoint) choice.otlpEndpoint = otlpEndpoint;
  return choice;
}

export function sinkOpener(
  choice: SinkChoice,
  dryRun: boolean,
  onRetry?: (reason: string) => void,
): (resume?: { bytes: number; spans: number }) => Promise<SpanSink> {
  return async (resume) => {
    if (dryRun) return new NullSink();
    if (choice.output) return OtlpFileSink.open(choice.output, resume);
    const sink = new OtlpHttpSink({ endpoint: choice.otlpEndpoint!, ...(onRetry ? { onRetry } : {}) });
    if (resume) sink.spansWritten = resume.spans;
    return sink;
  };
}

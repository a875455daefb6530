/**
 * `alakai-otel/lambda`: a Lambda function for a CloudWatch Logs subscription filter on the
 * services' log groups. Each invocation decodes `awslogs.data` (awslogs-payload.ts), turns the
 * summary events among its log events into spans with the same mapping as `alakai-otel live`
 * (one slice each: a legacy event is a root span, a bridged one keeps its logged parents),
 * exports them over OTLP/HTTP and flushes before it returns.
 *
 * It never throws: a payload that cannot be used (not base64, not gzip, not an envelope, too
 * large) and spans that could not be exported are counted in the returned result and said once
 * per reason on stderr (noticeOnce). A throw would make Lambda retry the same batch — twice for an
 * asynchronous invocation, and a bad payload would fail every time.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 *
 * Configuration: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` +
 * `/v1/traces` (or `otlpEndpoint` given to createAlakaiLambdaHandler).
 */
import { defaultOtlpEndpoint } from '../backfill/sinks/otlp-http-sink.js';
import { sigv4TargetFromEnv } from '../sdk/default-exporter.js';
import { noticeOnce, shownValue } from '../sdk/notice.js';
import { decodeAwslogsEvent } from './awslogs-payload.js';
import { ConverterLineExporter, type LineExporter } from './line-exporter.js';

/** The part of Lambda's context object the handler reads. */
export interface LambdaContextLike {
  /** Milliseconds left before Lambda ends the invocation: the flush stops before. */
  getRemainingTimeInMillis?: () => number;
}

/** Settings of createAlakaiLambdaHandler; each defaults from the environment. */
export interface AlakaiLambdaOptions {
  /** OTLP/HTTP traces endpoint; default from the OTel environment variables. */
  otlpEndpoint?: string;
  /** Longest time the export may take in one invocation (default 10 s, never past the invocation's own deadline). */
  flushTimeoutMs?: number;
}

/** What one invocation did. Rejections are keyed by stable reason names. */
export interface AlakaiLambdaResult {
  /** `data` (read), `control` (CloudWatch's check of the destination, nothing to do) or `rejected` (the payload). */
  payload: 'data' | 'control' | 'rejected';
  /** Log events in the payload. */
  logEvents: number;
  /** Valid summary events among them. */
  summaryEvents: number;
  /** Spans the OTLP endpoint acknowledged before the handler returned. */
  spansExported: number;
  /** Spans not exported: the endpoint failed, did not answer in time, or none is configured. */
  spansFailed: number;
  /** The payload's reason when it could not be read, or the log events' parser reasons. */
  rejected: Record<string, number>;
}

/** A Lambda handler for CloudWatch Logs subscription events; never rejects. */
export type AlakaiLambdaHandler = (event: unknown, context?: LambdaContextLike) => Promise<AlakaiLambdaResult>;

const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;
/** Left to the runtime after the flush: the handler must return before Lambda's own timeout. */
const RETURN_MARGIN_MS = 500;

function emptyResult(payload: AlakaiLambdaResult['payload']): AlakaiLambdaResult {
  return {
    payload,
    logEvents: 0,
    summaryEvents: 0,
    spansExported: 0,
    spansFailed: 0,
    rejected: Object.create(null) as Record<string, number>,
  };
}

function exporterFor(endpoint: string | undefined): LineExporter {
  if (!endpoint) {
    noticeOnce(
      'lambda-no-endpoint',
      'lambda: no OTLP endpoint (set OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT): spans are not exported',
    );
    return new ConverterLineExporter(undefined);
  }
  // Short retries: the invocation has a deadline, and the next batch is already queued behind it.
  // X-Ray's OTLP endpoint (or ALAKAI_SIGV4=xray): signed with the function role's credentials, as the SDK does.
  let sigv4;
  try {
    sigv4 = sigv4TargetFromEnv(new URL(endpoint), process.env);
  } catch {
    sigv4 = undefined; // not a URL: the export fails and is counted
  }
  return new ConverterLineExporter({
    endpoint,
    timeoutMs: 5000,
    retry: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 2000 },
    ...(sigv4 ? { sigv4, xray: true } : {}),
  });
}

/** A handler with its own exporter, kept across the invocations of a warm execution environment. */
export function createAlakaiLambdaHandler(options: AlakaiLambdaOptions = {}): AlakaiLambdaHandler {
  let exporter: LineExporter | undefined;
  return async (event, context) => {
    try {
      exporter ??= exporterFor(options.otlpEndpoint ?? defaultOtlpEndpoint());
      const decoded = decodeAwslogsEvent(event);
      if (decoded.kind === 'control') return emptyResult('control');
      if (decoded.kind === 'rejected') {
        const result = emptyResult('rejected');
        result.rejected[decoded.reason] = 1;
        noticeOnce(
          `lambda-bad-payload-${decoded.reason}`,
          `lambda: a subscription payload could not be read (${decoded.reason}); it is skipped and counted, later ones with this reason are not reported`,
        );
        return result;
      }
      for (const message of decoded.messages) {
        if (message === undefined) continue;
        exporter.feed(message.endsWith('\n') ? message.slice(0, -1) : message);
      }
      const remaining = context?.getRemainingTimeInMillis?.();
      const budget = Math.max(
        0,
        Math.min(
          options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS,
          typeof remaining === 'number' && Number.isFinite(remaining) ? remaining - RETURN_MARGIN_MS : Infinity,
        ),
      );
      const batch = await exporter.flush(budget);
      const result = emptyResult('data');
      result.logEvents = decoded.messages.length;
      result.summaryEvents = batch.summaryEvents;
      result.spansExported = batch.spansExported;
      result.spansFailed = batch.spansFailed;
      Object.assign(result.rejected, batch.rejected);
      const noMessage = decoded.messages.filter((m) => m === undefined).length;
      if (noMessage > 0) result.rejected['bad_cloudwatch_event'] = noMessage;
      if (batch.spansFailed > 0)
        noticeOnce(
          'lambda-export-failed',
          `lambda: ${batch.spansFailed} spans of log group ${shownValue(decoded.logGroup ?? '?')} could not be exported; later failures are counted in the result only`,
        );
      return result;
    } catch (error) {
      // Nothing above should throw; if something does, the batch is still not thrown back.
      const result = emptyResult('rejected');
      result.rejected['internal_error'] = 1;
      noticeOnce('lambda-internal-error', `lambda: ${String((error as Error)?.message ?? error).split('\n')[0]}`);
      return result;
    }
  };
}

/** The handler to configure in Lambda (`alakai-otel/lambda` → `handler`), settings from the environment. */
export const handler: AlakaiLambdaHandler = createAlakaiLambdaHandler();

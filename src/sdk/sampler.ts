/**
 * Logs for every slice, traces by sampling (DESIGN.md, "Sampling"). The env-configured sampler
 * decides what is exported; wrapping it so NOT_RECORD becomes RECORD keeps every span visible to
 * processors (the summary line is written) while exporters skip spans without the sampled flag.
 * Env names and values: https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
import { diag, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace-base';

function ratioFromEnv(arg: string | undefined): number {
  if (arg === undefined || arg.trim() === '') return 1;
  const ratio = Number(arg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    diag.warn(`alakai-otel: OTEL_TRACES_SAMPLER_ARG "${arg.slice(0, 32)}" is not a ratio in [0, 1]; using 1`);
    return 1;
  }
  return ratio;
}

/** The sampler named by OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default parentbased_always_on). */
export function samplerFromEnv(env: NodeJS.ProcessEnv = process.env): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratioFromEnv(arg));
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratioFromEnv(arg)) });
    case 'parentbased_always_on':
    case '':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    default:
      diag.warn(`alakai-otel: unknown OTEL_TRACES_SAMPLER "${name.slice(0, 32)}"; using parentbased_always_on`);
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** Upgrades NOT_RECORD to RECORD; sampled decisions pass through unchanged. */
export class RecordAllSampler implements Sampler {
  constructor(private readonly delegate: Sampler) {}

  shouldSample(
    ctx: Context,
    traceId: string,
    name: string,
    kind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const result = this.delegate.shouldSample(ctx, traceId, name, kind, attributes, links);
    if (result.decision !== SamplingDecision.NOT_RECORD) return result;
    return { ...result, decision: SamplingDecision.RECORD };
  }

  toString(): string {
    return `RecordAllSampler{${this.delegate.toString()}}`;
  }
}

/**
 * Which OTLP endpoints get SigV4-signed requests, and for which region. X-Ray's OTLP traces
 * endpoint is https://xray.<region>.amazonaws.com/v1/traces and takes only requests signed with
 * SigV4 for the service `xray`
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-OTLPEndpoint.html);
 * its interface VPC endpoints are named <id>.xray.<region>.vpce.amazonaws.com
 * (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html).
 *
 * Signing is automatic for those hosts, and can be forced (`--sigv4 xray`, ALAKAI_SIGV4=xray) for
 * any other: a proxy in front of X-Ray, a test fake. The region then comes from the host when it
 * names one, else from AWS_REGION / AWS_DEFAULT_REGION, as the AWS SDKs read them.
 */

/** The one service this package signs for. */
export const SIGV4_SERVICES = ['xray'] as const;
export type SigV4Service = (typeof SIGV4_SERVICES)[number];

export interface SigV4Target {
  service: SigV4Service;
  region: string;
}

/** A signing request that cannot be met: an unknown service, or no region anywhere. */
export class SigV4ConfigError extends Error {
  override name = 'SigV4ConfigError';
}

const REGION = '([a-z]{2}(?:-[a-z]+)+-\\d{1,2})';
const XRAY_HOST = new RegExp(`^xray\\.${REGION}\\.amazonaws\\.com(?:\\.cn)?$`);
const XRAY_VPCE_HOST = new RegExp(`^[a-z0-9-]{1,100}\\.xray\\.${REGION}\\.vpce\\.amazonaws\\.com(?:\\.cn)?$`);

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** The region an X-Ray host (public or VPC endpoint) names, or undefined for any other host. */
export function xrayRegionOfHost(url: string): string | undefined {
  const host = hostOf(url);
  if (host === undefined || host.length > 253) return undefined;
  return (XRAY_HOST.exec(host) ?? XRAY_VPCE_HOST.exec(host))?.[1];
}

/** True for X-Ray's own OTLP endpoint hosts (xray.<region>.amazonaws.com, and its VPC endpoints). */
export function isXrayEndpoint(url: string): boolean {
  return xrayRegionOfHost(url) !== undefined;
}

/** Parses a `--sigv4` / ALAKAI_SIGV4 value: a service name this package signs for. */
export function parseSigV4Service(value: string): SigV4Service {
  const service = value.trim().toLowerCase();
  if ((SIGV4_SERVICES as readonly string[]).includes(service)) return service as SigV4Service;
  throw new SigV4ConfigError(
    `SigV4 signing supports the service ${SIGV4_SERVICES.join(', ')} only (got "${value.slice(0, 40)}")`,
  );
}

/**
 * The signing to apply for `endpoint`: automatic for X-Ray's hosts, forced by `forced` (a service
 * name) for any other, none otherwise. Throws SigV4ConfigError when forced without a region.
 */
export function sigv4TargetFor(
  endpoint: string,
  forced: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SigV4Target | undefined {
  const fromHost = xrayRegionOfHost(endpoint);
  if (forced === undefined || forced.trim() === '') return fromHost ? { service: 'xray', region: fromHost } : undefined;
  const service = parseSigV4Service(forced);
  const region = fromHost ?? [env['AWS_REGION'], env['AWS_DEFAULT_REGION']].map((v) => v?.trim()).find((v) => v);
  if (!region)
    throw new SigV4ConfigError(
      `SigV4 signing for ${service} needs a region: ${hostOf(endpoint) ?? 'the endpoint'} names none, and neither AWS_REGION nor AWS_DEFAULT_REGION is set`,
    );
  return { service, region };
}

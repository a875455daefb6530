/**
 * SigV4 signatures for OTLP/HTTP requests, from `@smithy/signature-v4` (the AWS SDK's own signer)
 * with credentials from the AWS default chain (`fromNodeProviderChain`: environment, SSO, profile
 * files, credential_process, web identity, the ECS container and EC2 instance endpoints).
 * https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-aws-sdk-credential-providers/
 *
 * The chain is memoized by the AWS SDK and fetches new credentials before temporary ones expire;
 * when a server still says they expired (clock skew, a revoked session), `refreshCredentials()`
 * makes the next signature fetch fresh ones. A session token (an ECS task role's, say) is sent as
 * the signed `x-amz-security-token` header, which is how SigV4 carries it
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 *
 * Both packages are loaded on first use only: a service that never signs never loads them.
 */
import type { SigV4Target } from './sigv4-target.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** A credentials provider as the AWS SDK's are: `forceRefresh` skips the memoized value. */
export type CredentialSource = (options?: { forceRefresh?: boolean }) => Promise<AwsCredentials>;

interface Signer {
  sign(request: {
    method: string;
    protocol: string;
    hostname: string;
    port?: number;
    path: string;
    query: Record<string, string>;
    headers: Record<string, string>;
    body: Uint8Array;
  }): Promise<{ headers: Record<string, string> }>;
}

export class SigV4Signer {
  private forceRefresh = false;
  private signer: Promise<Signer> | undefined;

  constructor(
    readonly target: SigV4Target,
    private readonly credentials?: CredentialSource,
  ) {}

  /** The next signature uses freshly fetched credentials (the server said these expired). */
  refreshCredentials(): void {
    this.forceRefresh = true;
  }

  /** The headers to send: `headers`, plus host, x-amz-date, x-amz-security-token and authorization. */
  async sign(url: URL, headers: Record<string, string>, body: Uint8Array): Promise<Record<string, string>> {
    const signer = await (this.signer ??= this.create());
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = value;
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { ...headers, host: url.host },
      body,
    });
    return signed.headers;
  }

  private async create(): Promise<Signer> {
    const [{ SignatureV4 }, { Sha256 }] = await Promise.all([
      import('@smithy/signature-v4'),
      import('@smithy/core/checksum'),
    ]);
    const source: CredentialSource =
      this.credentials ?? (await import('@aws-sdk/credential-providers')).fromNodeProviderChain();
    return new SignatureV4({
      service: this.target.service,
      region: this.target.region,
      sha256: Sha256,
      credentials: () => {
        const force = this.forceRefresh;
        this.forceRefresh = false;
        return source(force ? { forceRefresh: true } : undefined);
      },
    });
  }
}

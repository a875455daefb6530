/**
 * The peers' addresses, from the env file `scripts/peers.sh start` writes (.peers/env, or the file
 * named by ALAKAI_PEERS_ENV). Values already in process.env win, so a developer can point one peer
 * elsewhere without editing the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface PeersEnv {
  runDir: string;
  collectorOtlpHttp: string;
  collectorHealthUrl: string;
  jaegerQueryUrl: string;
  jaegerOtlpHttp: string;
  motoEndpoint: string;
  redisUrl: string;
  awsRegion: string;
  /** The raw KEY=VALUE pairs, for child processes. */
  vars: ReadonlyMap<string, string>;
}

const REQUIRED = [
  'ALAKAI_PEERS_RUN_DIR',
  'COLLECTOR_OTLP_HTTP_ENDPOINT',
  'COLLECTOR_HEALTH_URL',
  'JAEGER_QUERY_URL',
  'JAEGER_OTLP_HTTP_ENDPOINT',
  'MOTO_ENDPOINT',
  'REDIS_URL',
  'AWS_REGION',
] as const;

// KEY=VALUE; keys are shell identifiers. The file is ours, but it is still parsed strictly.
const LINE = /^([A-Z][A-Z0-9_]{0,63})=([^\r\n]{0,2048})$/;

export function envFilePath(): string {
  return process.env.ALAKAI_PEERS_ENV ?? resolve(REPO_DIR, '.peers/env');
}

export function parseEnvFile(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`peers env: malformed line ${JSON.stringify(line.slice(0, 80))}`);
    vars.set(match[1]!, match[2]!);
  }
  return vars;
}

let cached: PeersEnv | undefined;

export function loadPeersEnv(): PeersEnv {
  if (cached) return cached;
  const file = envFilePath();
  if (!existsSync(file)) {
    throw new Error(
      `peers are not running: ${file} is missing — run scripts/peers.sh install && scripts/peers.sh start`,
    );
  }
  const vars = parseEnvFile(readFileSync(file, 'utf8'));
  for (const key of REQUIRED) {
    const override = process.env[key];
    if (override) vars.set(key, override);
    if (!vars.get(key)) throw new Error(`peers env: ${key} missing from ${file}`);
  }
  const get = (key: (typeof REQUIRED)[number]): string => vars.get(key)!;
  cached = {
    runDir: get('ALAKAI_PEERS_RUN_DIR'),
    collectorOtlpHttp: get('COLLECTOR_OTLP_HTTP_ENDPOINT'),
    collectorHealthUrl: get('COLLECTOR_HEALTH_URL'),
    jaegerQueryUrl: get('JAEGER_QUERY_URL'),
    jaegerOtlpHttp: get('JAEGER_OTLP_HTTP_ENDPOINT'),
    motoEndpoint: get('MOTO_ENDPOINT'),
    redisUrl: get('REDIS_URL'),
    awsRegion: get('AWS_REGION'),
    vars,
  };
  return cached;
}

/** What an AWS SDK client (in this process or a child) needs to talk to moto. */
export function awsClientConfig(peers: PeersEnv) {
  return {
    region: peers.awsRegion,
    endpoint: peers.motoEndpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

/** Environment for child processes (apps, the CLI) that talk to the peers. */
export function peersChildEnv(peers: PeersEnv): Record<string, string> {
  return {
    AWS_REGION: peers.awsRegion,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    // The AWS SDK for JS v3 reads AWS_ENDPOINT_URL for every service
    // (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
    AWS_ENDPOINT_URL: peers.motoEndpoint,
  };
}

/**
 * Runs once before the consumer suite: packs this repo as a user would get it (`npm pack`), and
 * installs the tarball into a fresh app beside the packages a real service brings (pino, the AWS
 * SDK clients, redis). Every scenario then runs as a child process inside that app, importing
 * `alakai-otel` from its node_modules — never from src/ or dist/ of the repo.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

const REPO_DIR = resolve(import.meta.dirname, '../../..');

/** The service-side packages the app installs next to the tarball, at the versions we test. */
const APP_DEPENDENCIES = [
  'pino@10.4.0',
  '@aws-sdk/client-sqs@3.1169.0',
  '@aws-sdk/client-cloudwatch-logs@3.1169.0',
  'redis@5.12.1',
];

const NPM_ENV = {
  ...process.env,
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_update_notifier: 'false',
};

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: NPM_ENV });
}

/** Like npm(), but returns stdout and stderr together: npm prints its warnings on stderr. */
function npmWithWarnings(args: string[], cwd: string): string {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: NPM_ENV });
  const output = result.stdout + result.stderr;
  if (result.status !== 0)
    throw new Error(`npm ${args.join(' ')} failed (${result.status ?? result.signal}):\n${output}`);
  return output;
}

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'alakai-consumer-'));
  const packDir = join(root, 'pack');
  const appDir = join(root, 'app');
  mkdirSync(packDir);
  mkdirSync(appDir);
  npm(['pack', '--silent', '--pack-destination', packDir], REPO_DIR);
  const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${packDir}`);
  writeFileSync(
    join(appDir, 'package.json'),
    JSON.stringify({ name: 'alakai-consumer-app', private: true, version: '1.0.0' }, null, 2),
  );
  // The install's own output is kept: the adoption issue asks that it carry no warning about
  // lifecycle scripts, and test/consumer/install.test.ts reads it.
  const installLog = npmWithWarnings(
    ['install', '--prefer-offline', '--loglevel', 'warn', join(packDir, tarball), ...APP_DEPENDENCIES],
    appDir,
  );
  writeFileSync(join(root, 'install.log'), installLog);
  project.provide('consumerRoot', root);
  return () => {
    if (!process.env.ALAKAI_KEEP_CONSUMER_APP) rmSync(root, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    consumerRoot: string;
  }
}

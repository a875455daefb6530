/** Peer operations the suite needs beyond queries: a fresh (empty) Jaeger. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_DIR, type PeersEnv } from './peers-env.js';

const run = promisify(execFile);

export async function restartJaeger(peers: PeersEnv): Promise<void> {
  try {
    await run('bash', [join(REPO_DIR, 'scripts/peers.sh'), 'restart-jaeger'], {
      cwd: REPO_DIR,
      env: { ...process.env, ALAKAI_PEERS_RUN_DIR: peers.runDir },
      timeout: 120_000,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`scripts/peers.sh restart-jaeger failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`, {
      cause: error,
    });
  }
}

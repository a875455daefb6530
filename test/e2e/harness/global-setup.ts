/**
 * Runs once before the e2e suite: fail fast, naming the peer that is not there.
 */
import { join } from 'node:path';
import { failedPeerMarker, peerProblems } from './peer-health.js';
import { loadPeersEnv, REPO_DIR, type PeersEnv } from './peers-env.js';

export default async function checkPeers(): Promise<void> {
  let peers: PeersEnv | undefined;
  try {
    peers = loadPeersEnv();
  } catch (error) {
    const marker = failedPeerMarker(undefined, join(REPO_DIR, '.peers'));
    throw new Error(marker ? `peer failed to start: ${marker}` : (error as Error).message, {
      cause: error,
    });
  }
  const problems = await peerProblems(peers);
  if (problems.size > 0) {
    const lines = [...problems].map(([name, problem]) => `  ${name}: ${problem}`);
    const marker = failedPeerMarker(peers, peers.runDir);
    throw new Error(
      [
        `e2e peers not ready (${[...problems.keys()].join(', ')}):`,
        ...lines,
        ...(marker ? [`  scripts/peers.sh reported: ${marker}`] : []),
        `  logs: ${peers.runDir}/<peer>.log; restart with scripts/peers.sh stop && scripts/peers.sh start`,
      ].join('\n'),
    );
  }
}

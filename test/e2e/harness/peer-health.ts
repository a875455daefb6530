/**
 * Is each peer up? Used once before the suite (global-setup.ts) so a missing peer fails the run
 * with its name, instead of every test timing out on a connection error.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { PeersEnv } from './peers-env.js';

async function httpOk(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return response.ok ? undefined : `GET ${url} answered ${response.status}`;
  } catch (error) {
    return `GET ${url} failed: ${(error as Error).message}`;
  }
}

/** A bare RESP PING over TCP: no client library needed to know Redis answers. */
function redisPing(redisUrl: string): Promise<string | undefined> {
  const url = new URL(redisUrl);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 6379) });
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(3000, () => done(`redis at ${redisUrl}: no answer`));
    socket.once('error', (error) => done(`redis at ${redisUrl}: ${error.message}`));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) =>
      done(
        data.toString().startsWith('+PONG')
          ? undefined
          : `redis at ${redisUrl}: unexpected ${data.toString().slice(0, 40)}`,
      ),
    );
  });
}

export async function peerProblems(peers: PeersEnv): Promise<Map<string, string>> {
  const checks: Array<[string, Promise<string | undefined>]> = [
    ['collector', httpOk(peers.collectorHealthUrl)],
    ['jaeger', httpOk(`${peers.jaegerQueryUrl}/api/services`)],
    ['moto', httpOk(`${peers.motoEndpoint}/moto-api/data.json`)],
    ['redis', redisPing(peers.redisUrl)],
  ];
  const problems = new Map<string, string>();
  for (const [name, check] of checks) {
    const problem = await check;
    if (problem) problems.set(name, problem);
  }
  return problems;
}

/** The marker scripts/peers.sh leaves when a peer failed to start ("name: reason"), if any. */
export function failedPeerMarker(peers: PeersEnv | undefined, fallbackRunDir: string): string | undefined {
  try {
    return readFileSync(join(peers?.runDir ?? fallbackRunDir, 'failed'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

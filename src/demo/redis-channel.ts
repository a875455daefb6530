/**
 * The Redis hand-over against a real server (`ALAKAI_DEMO_REDIS_URL`): the orchestrator RPUSHes
 * the worker's payload on a list named for the run, the worker BLPOPs it.
 */
import type { PayloadChannel } from './transport.js';

const POP_TIMEOUT_SECONDS = 30;

export async function openRedisChannel(url: string, listKey: string): Promise<PayloadChannel> {
  const { createClient } = await import('redis');
  // Give up after a few reconnects: the default strategy retries forever, which would hang the demo.
  const client = createClient({
    url,
    socket: {
      connectTimeout: 5_000,
      reconnectStrategy: (retries: number) => (retries >= 3 ? new Error('Redis unreachable') : 200),
    },
  });
  // node-redis emits 'error' on connection trouble; without a listener that would crash the process.
  client.on('error', () => {});
  await client.connect();
  return {
    description: `Redis list ${listKey}`,
    async push(payload: string): Promise<void> {
      await client.rPush(listKey, payload);
    },
    async pop(): Promise<string | undefined> {
      const got = await client.blPop(listKey, POP_TIMEOUT_SECONDS);
      return got?.element;
    },
    async close(): Promise<void> {
      await client.close();
    },
  };
}

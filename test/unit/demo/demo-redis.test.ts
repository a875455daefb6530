/**
 * The orchestrator → worker hand-over through a real Redis server (when `redis-server` is
 * installed), as the demo uses it when ALAKAI_DEMO_REDIS_URL is set: RPUSH by the orchestrator,
 * BLPOP by the worker, the payload carrying trace_id and traceparent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from 'redis';
import {
  executionPaths,
  expectOneTreePerTrace,
  FIRST_THREE_EXECUTIONS,
  freePort,
  onPath,
  removeFreshDirs,
  runDemoFixture,
  waitUntilServing,
} from './demo-fixture.js';

afterAll(removeFreshDirs);

const hasRedis = onPath('redis-server');
let server: ChildProcess | undefined;
let url = '';

async function withClient<T>(fn: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  if (!hasRedis) return;
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await waitUntilServing('redis-server', () => withClient((c) => c.ping()));
});

afterAll(() => {
  if (server?.pid) process.kill(server.pid);
});

it.skipIf(!hasRedis)('hands work orchestrator → worker through a real Redis list', async () => {
  const demo = await runDemoFixture(['--executions', '3'], { ALAKAI_DEMO_REDIS_URL: url });
  expect(existsSync(join(demo.dir, 'handoff', 'redis-worker.ndjson'))).toBe(false);
  expect(executionPaths(demo)).toEqual(FIRST_THREE_EXECUTIONS);
  expectOneTreePerTrace(demo.spans);
  // The worker popped every payload: nothing is left in the run's list.
  expect(await withClient((c) => c.keys('alakai-demo:*'))).toEqual([]);
});

/**
 * The orchestrator → worker hand-over through a real Redis server (when `redis-server` is
 * installed), as the demo uses it when ALAKAI_DEMO_REDIS_URL is set: RPUSH by the orchestrator,
 * BLPOP by the worker, the payload carrying trace_id and traceparent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from 'redis';
import { groupBy, runDemoFixture, removeFreshDirs } from './demo-fixture.js';

afterAll(removeFreshDirs);

const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).status === 0;
let server: ChildProcess | undefined;
let url = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

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
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      await withClient((c) => c.ping());
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('redis-server did not start');
});

afterAll(() => {
  if (server?.pid) process.kill(server.pid);
});

it.skipIf(!hasRedis)('hands work orchestrator → worker through a real Redis list', async () => {
  const demo = await runDemoFixture(['--executions', '3'], { ALAKAI_DEMO_REDIS_URL: url });
  expect(existsSync(join(demo.dir, 'handoff', 'redis-worker.ndjson'))).toBe(false);
  const rows = [...groupBy(demo.summaries, (s) => String(s['trace_id'])).values()].map((t) =>
    t.map((s) => `${(s['context'] as Record<string, string>)['component']}:${String(s['final_status'])}`),
  );
  expect(rows).toEqual([
    ['core:enqueued', 'orchestrator:task_launched', 'worker:pr_opened'],
    ['core:enqueued', 'orchestrator:task_launched', 'worker:push_failed'],
    ['core:enqueued', 'orchestrator:slot_unavailable', 'orchestrator:task_launched', 'worker:pr_opened'],
  ]);
  for (const spans of groupBy(demo.spans, (s) => s.traceId).values()) {
    const ids = new Set(spans.map((s) => s.spanId));
    expect(spans.filter((s) => !s.parentSpanId)).toHaveLength(1);
    for (const s of spans) if (s.parentSpanId) expect(ids.has(s.parentSpanId)).toBe(true);
  }
  // The worker popped every payload: nothing is left in the run's list.
  expect(await withClient((c) => c.keys('alakai-demo:*'))).toEqual([]);
});

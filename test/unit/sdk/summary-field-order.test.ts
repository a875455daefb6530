/**
 * docs/summary-event-format.md states the key order of the line the SDK really writes (pino puts
 * `level` and `time` first, then the logger's bindings, then the event's fields, and `msg` last).
 * The `checked:` blocks there must equal the order of real lines written now, through the default
 * logger and through a plain `pino()`. `UPDATE_DOCS=1 npx vitest run
 * test/unit/sdk/summary-field-order.test.ts` rewrites them after a deliberate change.
 */
import { SpanKind } from '@opentelemetry/api';
import { readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { expect, it } from 'vitest';
import { createDefaultLogger } from '../../../src/sdk/logger.js';
import { extractRedisContext } from '../../../src/sdk/propagation/redis.js';
import { setupAlakaiTracing } from '../../../src/sdk/setup.js';
import { CollectingExporter, DELIVERY_ID } from './sdk-fixture.js';

function memoryStream(): { stream: Writable; texts: () => string[] } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      raw.push(String(chunk));
      callback();
    },
  });
  return {
    stream,
    texts: () =>
      raw
        .join('')
        .split('\n')
        .filter((l) => l !== ''),
  };
}

/** The keys, in text order, of a worker's summary line with a parent, an error and domain fields. */
async function writtenKeyOrder(makeLogger: (stream: Writable) => Logger): Promise<string> {
  const sink = memoryStream();
  const tracing = setupAlakaiTracing({
    service: 'alakai-worker-implementation',
    component: 'worker',
    logger: makeLogger(sink.stream),
    exporter: new CollectingExporter(),
    handleSignals: false,
  });
  const carried = extractRedisContext({
    trace_id: DELIVERY_ID,
    traceparent: `00-${DELIVERY_ID.replaceAll('-', '')}-b7ad6b7169203331-01`,
  });
  await tracing
    .runSlice(
      {
        event: 'coding.implementation',
        parent: carried.context,
        traceId: carried.traceId,
        kind: SpanKind.CONSUMER,
        steps: ['clone'],
        fields: { repo: { full_name: 'org/repo' }, task: { task_id: 'T-1' } },
      },
      (slice) =>
        slice.step('clone', () => {
          throw new TypeError('clone failed');
        }),
    )
    .catch(() => undefined);
  await tracing.shutdown();
  const texts = sink.texts();
  expect(texts).toHaveLength(1);
  return Object.keys(JSON.parse(texts[0]!) as object).join(', ');
}

const ORDERS: Record<string, () => Promise<string>> = {
  'line-keys-default-logger': () =>
    writtenKeyOrder((stream) => createDefaultLogger('alakai-worker-implementation', 'worker', stream)),
  'line-keys-plain-pino': () => writtenKeyOrder((stream) => pino(stream)),
};

const BLOCK_RE = /<!-- checked:([a-z-]+) -->\n```text\n([^\n]*)\n```\n<!-- \/checked:\1 -->/g;

it('docs/summary-event-format.md states the key order the SDK really writes', async () => {
  const url = new URL('../../../docs/summary-event-format.md', import.meta.url);
  const text = readFileSync(url, 'utf8');
  const names = [...text.matchAll(BLOCK_RE)].map((m) => m[1]!);
  expect(names.sort()).toEqual(Object.keys(ORDERS).sort());
  expect(text.split('<!-- checked:').length - 1).toBe(names.length); // no malformed block
  const actual: Record<string, string> = {};
  for (const name of names) actual[name] = await ORDERS[name]!();
  const expected = text.replace(
    BLOCK_RE,
    (_m, name: string) => `<!-- checked:${name} -->\n\`\`\`text\n${actual[name]}\n\`\`\`\n<!-- /checked:${name} -->`,
  );
  if (process.env['UPDATE_DOCS'] === '1') {
    writeFileSync(url, expected);
    return;
  }
  expect(text).toBe(expected);
});

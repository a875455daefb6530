/**
 * The service's own logger still writes the guide's lines (issue 11, item 6), from the packed
 * package: a service with its own `pino()` at default options (epoch-ms `time`, `pid`,
 * `hostname`) and a child logger of it. Its summary lines must carry one ISO `time` and pass the
 * schema the package ships; its other lines keep pino's epoch-ms time.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consumerApp } from './harness/app.js';

const TRACE_ID = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

describe("packed package: the service's own pino() with default options", () => {
  const app = consumerApp();

  it("summary lines carry one ISO time and pass the shipped schema; the service's other lines keep epoch ms", async () => {
    const script = app.write(
      'own-logger/service.mjs',
      `import pino from 'pino';
import { setupAlakaiTracing } from 'alakai-otel';
const logger = pino();
const log = logger.child({ module: 'worker' });
const tracing = setupAlakaiTracing({ service: 'alakai-worker-implementation', component: 'worker', logger: log, handleSignals: false,
  exporter: { export: (spans, done) => done({ code: 0 }), shutdown: async () => {} } });
log.info('worker started');
await tracing.runSlice({ event: 'coding.implementation', traceId: '${TRACE_ID}', steps: ['clone', 'open_pr'],
  fields: { repo: { full_name: 'org/repo' }, pull_request: { number: 42 } } }, async (slice) => {
  await slice.step('clone', () => undefined);
  log.info('cloned');
  slice.finish('skipped', 'nothing_to_do');
});
log.info({ done: true }, 'worker finished');
await tracing.shutdown();
`,
    );
    const result = await app.run(script);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const texts = result.stdout.trim().split('\n');
    expect(texts).toHaveLength(4);
    const summaries = texts.filter((t) => t.includes('"msg":"[event] '));
    expect(summaries).toHaveLength(1);
    const summary = summaries[0]!;
    expect(summary.split('"time":').length - 1).toBe(1);
    const line = JSON.parse(summary) as Record<string, unknown>;
    expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(line).toMatchObject({
      level: 30,
      trace_id: TRACE_ID,
      outcome: 'skipped',
      final_status: 'nothing_to_do',
      module: 'worker',
    });
    expect(typeof line.pid).toBe('number');
    expect(typeof line.hostname).toBe('string');

    const schemaPath = join(app.dir, 'node_modules/alakai-otel/schema/summary-event.schema.json');
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(
      JSON.parse(readFileSync(schemaPath, 'utf8')),
    );
    expect(validate(line), JSON.stringify(validate.errors)).toBe(true);

    for (const text of texts.filter((t) => t !== summary)) {
      expect(text.split('"time":').length - 1).toBe(1);
      expect(typeof (JSON.parse(text) as Record<string, unknown>).time).toBe('number');
    }
  });
});

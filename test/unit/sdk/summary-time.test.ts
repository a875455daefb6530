/**
 * The service's own logger still writes the guide's lines (issue 11, item 6): a plain `pino()`
 * writes epoch-ms `time`, `pid` and `hostname`; its summary lines must still carry one ISO `time`
 * (the slice's end) and pass the published schema, while its other lines keep pino's own time.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { count, memoryPino } from './memory-pino.js';
import { hrTimeToBigInt } from '../../../src/sdk/readable-span.js';
import { setupAlakaiTracing, type AlakaiTracing } from '../../../src/sdk/setup.js';
import { CollectingExporter, DELIVERY_ID } from './sdk-fixture.js';

const schema = JSON.parse(readFileSync(new URL('../../../schema/summary-event.schema.json', import.meta.url), 'utf8'));
const validateSchema = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let tracing: AlakaiTracing | undefined;
afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
});

describe("the service's own pino() with default options", () => {
  it('summary lines carry one ISO time (the slice end) and pass the schema; other lines keep epoch ms', async () => {
    const own = memoryPino();
    const exporter = new CollectingExporter();
    tracing = setupAlakaiTracing({
      service: 'alakai-worker-implementation',
      component: 'worker',
      logger: own.logger,
      exporter,
      handleSignals: false,
    });
    own.logger.info('before');
    await tracing.runSlice({ event: 'coding.implementation', traceId: DELIVERY_ID, steps: ['clone'] }, (slice) =>
      slice.step('clone', () => undefined),
    );
    own.logger.info({ n: 1 }, 'after');
    await tracing.forceFlush();

    const [before, summary, after] = own.texts();
    expect(own.texts()).toHaveLength(3);
    expect(count(summary!, '"time":')).toBe(1);
    const line = JSON.parse(summary!) as Record<string, unknown>;
    expect(line.time).toMatch(ISO_MS);
    const slice = exporter.spans.find((s) => s.name === 'coding.implementation')!;
    expect(line.time).toBe(new Date(Number(hrTimeToBigInt(slice.endTime) / 1_000_000n)).toISOString());
    expect(validateSchema(line), JSON.stringify(validateSchema.errors)).toBe(true);
    // pino's own bindings stay (they are the service's), once each.
    expect(line.pid).toBe(process.pid);
    for (const key of ['"pid":', '"hostname":', '"level":', '"msg":', '"service":'])
      expect(count(summary!, key)).toBe(1);
    for (const text of [before!, after!]) {
      expect(count(text, '"time":')).toBe(1);
      expect(typeof (JSON.parse(text) as Record<string, unknown>).time).toBe('number');
    }
  });

  it('also with timestamp: false, a child logger, and bindings changed later', async () => {
    const own = memoryPino({ timestamp: false });
    const logger = own.logger.child({ component: 'worker' });
    tracing = setupAlakaiTracing({
      service: 'alakai-worker-implementation',
      component: 'worker',
      logger,
      exporter: new CollectingExporter(),
      handleSignals: false,
    });
    await tracing.runSlice({ event: 'a', traceId: DELIVERY_ID }, () => undefined);
    logger.setBindings({ region: 'eu-west-1' });
    await tracing.runSlice({ event: 'b', traceId: DELIVERY_ID }, () => undefined);
    await tracing.forceFlush();
    const [first, second] = own.texts();
    for (const text of [first!, second!]) {
      expect(count(text, '"time":')).toBe(1);
      expect(count(text, '"component":')).toBe(2); // the binding and context.component
      expect(validateSchema(JSON.parse(text)), text).toBe(true);
    }
    expect(count(first!, '"region":')).toBe(0);
    expect(count(second!, '"region":"eu-west-1"')).toBe(1);
  });

  it("the summary lines follow the service logger's level as it changes", async () => {
    const own = memoryPino();
    tracing = setupAlakaiTracing({
      service: 'alakai-core',
      component: 'core',
      logger: own.logger,
      exporter: new CollectingExporter(),
      handleSignals: false,
    });
    await tracing.runSlice({ event: 'one', traceId: DELIVERY_ID }, () => undefined);
    own.logger.level = 'warn';
    await tracing.runSlice({ event: 'two', traceId: DELIVERY_ID }, () => undefined);
    own.logger.level = 'info';
    await tracing.runSlice({ event: 'three', traceId: DELIVERY_ID }, () => undefined);
    await tracing.forceFlush();
    expect(own.texts().map((t) => (JSON.parse(t) as { event: string }).event)).toEqual(['one', 'three']);
  });
});

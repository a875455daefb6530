/**
 * The NAIVE converter the backfill is measured against: what someone would write with the OTel SDK
 * alone. Each summary event is replayed through the tracer API with explicit start/end times and ids
 * (a custom IdGenerator), step lines become span events, and a BatchSpanProcessor hands batches to an
 * exporter that writes the same OTLP/JSON-lines format (one ExportTraceServiceRequest per line,
 * serialized by the transformer `@opentelemetry/exporter-trace-otlp-http` itself uses).
 *
 * It is deliberately straightforward, not deliberately slow: same parsing (JSON.parse per line),
 * same id derivation cost class (a hash per span), and it waits for the processor instead of letting
 * the 2048-span queue drop spans (a converter that loses spans would not be a fair baseline).
 *
 * Usage: node bench/.build/bench/naive-converter.js --input F --output F [--report F]
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type Context,
} from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type IdGenerator,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
// A transitive dependency (of exporter-trace-otlp-http, same pinned version): the serializer the
// OTLP/HTTP exporter sends with, so the naive output is the format a Collector would write.
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';

/** Ids are decided per span by the caller; the SDK asks this generator for them. */
class PresetIdGenerator implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** Writes each batch as one OTLP/JSON line. */
class OtlpJsonLinesFileExporter implements SpanExporter {
  spansWritten = 0;
  constructor(private readonly out: WriteStream) {}
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.spansWritten += spans.length;
    this.out.write(JsonTraceSerializer.serializeRequest(spans)!);
    this.out.write('\n', (err) =>
      resultCallback(err ? { code: ExportResultCode.FAILED, error: err } : { code: ExportResultCode.SUCCESS }),
    );
  }
  async shutdown(): Promise<void> {}
}

const COMPONENT_SERVICE: Record<string, string> = {
  core: 'alakai-core',
  orchestrator: 'alakai-orchestrator',
  worker: 'alakai-worker-implementation',
};
/** Fields that are the span's own data (ids, times, name), not attributes. */
const NOT_ATTRIBUTES = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'trace_id', 'context', 'error']);

function flatten(prefix: string, value: unknown, out: Attributes): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object' && !Array.isArray(value)) {
    for (const key of Object.keys(value)) flatten(`${prefix}.${key}`, (value as Record<string, unknown>)[key], out);
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out[prefix] = value;
  } else {
    out[prefix] = JSON.stringify(value);
  }
}

function hex16(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

interface StepLine {
  timeMs: number;
  msg: string;
  step: string;
}

async function main(argv: string[]): Promise<number> {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const input = flag('--input');
  const output = flag('--output');
  const reportPath = flag('--report');
  if (!input || !output) {
    process.stderr.write('usage: naive-converter --input F --output F [--report F]\n');
    return 2;
  }

  const out = createWriteStream(output);
  const exporter = new OtlpJsonLinesFileExporter(out);
  const ids = new PresetIdGenerator();
  const providers = new Map<string, BasicTracerProvider>();
  const tracerFor = (service: string) => {
    let p = providers.get(service);
    if (!p) {
      p = new BasicTracerProvider({
        idGenerator: ids,
        resource: resourceFromAttributes({ 'service.name': service, 'service.namespace': 'alakai' }),
        spanProcessors: [new BatchSpanProcessor(exporter)],
      });
      providers.set(service, p);
    }
    return p.getTracer('alakai-otel-naive');
  };

  // Per trace: the slice spans later components hang under (core → orchestrator → worker).
  const parents = new Map<string, { core?: string; orchestrator?: string }>();
  // Step lines wait for the summary event of their slice (it is written when the slice ends).
  const pendingSteps = new Map<string, StepLine[]>();
  const report = {
    linesRead: 0,
    summaryEvents: 0,
    stepLines: 0,
    spansWritten: 0,
    rejected: {} as Record<string, number>,
  };
  const reject = (reason: string) => (report.rejected[reason] = (report.rejected[reason] ?? 0) + 1);

  let sinceFlush = 0;
  const lines = createInterface({ input: createReadStream(input), crlfDelay: Infinity });
  for await (const line of lines) {
    report.linesRead++;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch {
      reject('not_json');
      continue;
    }
    const traceUuid = obj['trace_id'];
    if (typeof traceUuid !== 'string') {
      reject('no_trace_id');
      continue;
    }
    const component = typeof obj['component'] === 'string' ? obj['component'] : 'core';
    const key = `${traceUuid}|${component}`;
    const timeMs = Date.parse(String(obj['time']));
    const msg = typeof obj['msg'] === 'string' ? obj['msg'] : '';
    if (!msg.startsWith('[event] ') || typeof obj['event'] !== 'string') {
      let list = pendingSteps.get(key);
      if (!list) pendingSteps.set(key, (list = []));
      list.push({ timeMs, msg, step: String(obj['step'] ?? '') });
      report.stepLines++;
      continue;
    }

    report.summaryEvents++;
    const traceId = traceUuid.replace(/-/g, '').toLowerCase();
    const spanId = hex16(traceUuid, component, String(obj['event']), String(obj['time']), String(obj['final_status']));
    const family = parents.get(traceId) ?? {};
    const parentId =
      component === 'worker' ? family.orchestrator : component === 'orchestrator' ? family.core : undefined;
    let ctx: Context = ROOT_CONTEXT;
    if (parentId) {
      ctx = trace.setSpanContext(ROOT_CONTEXT, {
        traceId,
        spanId: parentId,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
    }
    const attributes: Attributes = {};
    for (const k of Object.keys(obj)) if (!NOT_ATTRIBUTES.has(k)) flatten(`alakai.${k}`, obj[k], attributes);
    const err = obj['error'] as { type?: unknown; message?: unknown } | null;
    if (err && typeof err === 'object') attributes['error.type'] = String(err.type);

    ids.traceId = traceId;
    ids.spanId = spanId;
    const durationMs = Number(obj['duration_ms']) || 0;
    const span = tracerFor(String(obj['service'] ?? COMPONENT_SERVICE[component] ?? component)).startSpan(
      `${String(obj['event'])} ${component}`,
      { kind: component === 'core' ? SpanKind.SERVER : SpanKind.CONSUMER, startTime: timeMs - durationMs, attributes },
      ctx,
    );
    for (const step of pendingSteps.get(key) ?? []) span.addEvent(step.msg, { 'alakai.step': step.step }, step.timeMs);
    pendingSteps.delete(key);
    if (obj['outcome'] === 'error') {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: err && typeof err === 'object' ? String(err.message) : '',
      });
    }
    span.end(timeMs);

    if (component === 'core') family.core = spanId;
    if (component === 'orchestrator') family.orchestrator = spanId;
    if (component === 'worker') parents.delete(traceId);
    else parents.set(traceId, family);
    // Naive bound on the parent map: forget the oldest traces (Map keeps insertion order).
    if (parents.size > 200_000) parents.delete(parents.keys().next().value!);

    // Wait for the batch processors now and then: their queue (2048) drops spans when it is full.
    if (++sinceFlush >= 1024) {
      sinceFlush = 0;
      await Promise.all([...providers.values()].map((p) => p.forceFlush()));
    }
  }
  await Promise.all([...providers.values()].map((p) => p.shutdown()));
  out.end();
  await once(out, 'finish');
  report.spansWritten = exporter.spansWritten;
  if (reportPath) writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`naive-converter: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);

/**
 * Jaeger's query API, as the UI calls it.
 *  - /api/v3/traces/{id}: OTLP/JSON spans with nanosecond times (exact comparisons: backfill
 *    round trip, duplicates).
 *  - /api/traces/{id}: the classic JSON with service names per process and `error` tags, which is
 *    what the UI renders.
 */
import { pollUntil } from './poll.js';

export interface JaegerSpanView {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  service: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  statusCode: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

interface OtlpKeyValue {
  key: string;
  value: Record<string, unknown>;
}

const KIND_BY_NAME: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_BY_NAME: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** OTLP/JSON ids are hex in the spec, but protobuf-JSON gateways emit base64: accept both. */
export function normalizeId(id: unknown, hexLength: number): string | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  if (id.length === hexLength && /^[0-9a-f]+$/i.test(id)) return id.toLowerCase();
  const hex = Buffer.from(id, 'base64').toString('hex');
  return hex.length === hexLength ? hex : undefined;
}

function enumValue(value: unknown, names: Record<string, number>): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && Object.hasOwn(names, value)) return names[value]!;
  return 0;
}

function anyValue(value: Record<string, unknown>): unknown {
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('arrayValue' in value) {
    const values = ((value.arrayValue as { values?: Array<Record<string, unknown>> }).values ?? []).map(anyValue);
    return values;
  }
  return value;
}

function attributeMap(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value ?? {});
  return out;
}

/** Spans of one trace from /api/v3/traces/{id}; [] when Jaeger has none yet. */
export async function jaegerTraceV3(queryUrl: string, traceId: string): Promise<JaegerSpanView[]> {
  const response = await fetch(`${queryUrl}/api/v3/traces/${traceId}`, { signal: AbortSignal.timeout(10_000) });
  if (response.status === 404) {
    await response.arrayBuffer();
    return [];
  }
  if (!response.ok)
    throw new Error(`jaeger v3 trace ${traceId}: HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const body = (await response.json()) as { result?: { resourceSpans?: unknown[] } };
  const out: JaegerSpanView[] = [];
  for (const rs of (body.result?.resourceSpans ?? []) as Array<Record<string, any>>) {
    const resource = attributeMap(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        out.push({
          traceId: normalizeId(span.traceId, 32) ?? '',
          spanId: normalizeId(span.spanId, 16) ?? '',
          parentSpanId: normalizeId(span.parentSpanId, 16),
          name: span.name,
          service: String(resource['service.name'] ?? ''),
          kind: enumValue(span.kind, KIND_BY_NAME),
          startTimeUnixNano: String(span.startTimeUnixNano),
          endTimeUnixNano: String(span.endTimeUnixNano),
          statusCode: enumValue(span.status?.code, STATUS_BY_NAME),
          attributes: attributeMap(span.attributes),
          resource,
        });
      }
    }
  }
  return out;
}

export interface JaegerV1Span {
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; spanID: string }>;
  tags: Array<{ key: string; value: unknown }>;
  processID: string;
}

/** /api/traces/{id}: spans with their service names, as the UI shows them. */
export async function jaegerTraceV1(
  queryUrl: string,
  traceId: string,
): Promise<Array<JaegerV1Span & { service: string }>> {
  const response = await fetch(`${queryUrl}/api/traces/${traceId}`, { signal: AbortSignal.timeout(10_000) });
  if (response.status === 404) {
    await response.arrayBuffer();
    return [];
  }
  if (!response.ok) throw new Error(`jaeger trace ${traceId}: HTTP ${response.status}`);
  const body = (await response.json()) as {
    data?: Array<{ spans: JaegerV1Span[]; processes: Record<string, { serviceName: string }> }>;
  };
  const trace = body.data?.[0];
  if (!trace) return [];
  return trace.spans.map((s) => ({ ...s, service: trace.processes[s.processID]?.serviceName ?? '' }));
}

/** Polls until the trace has at least `minSpans` spans from every one of `services`. */
export function waitForJaegerTrace(
  queryUrl: string,
  traceId: string,
  services: readonly string[],
  minSpans: number,
  timeoutMs = 60_000,
): Promise<JaegerSpanView[]> {
  let last: JaegerSpanView[] = [];
  return pollUntil(
    async () => {
      last = await jaegerTraceV3(queryUrl, traceId);
      const seen = new Set(last.map((s) => s.service));
      return last.length >= minSpans && services.every((s) => seen.has(s)) ? last : undefined;
    },
    { what: `Jaeger trace ${traceId} with ≥${minSpans} spans from ${services.join(', ')}`, timeoutMs },
  ).catch((error: Error) => {
    throw new Error(
      `${error.message} (last seen: ${last.length} spans from ${[...new Set(last.map((s) => s.service))].join(', ') || 'no service'})`,
    );
  });
}

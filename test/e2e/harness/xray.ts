/**
 * X-Ray through moto: the segments the Collector's awsxray exporter sent with PutTraceSegments.
 */
import { BatchGetTracesCommand, XRayClient } from '@aws-sdk/client-xray';
import { awsClientConfig, type PeersEnv } from './peers-env.js';

/** X-Ray's id for an OTel trace id: `1-<first 8 hex>-<remaining 24 hex>`. */
export function xrayTraceId(otelTraceId: string): string {
  if (!/^[0-9a-f]{32}$/.test(otelTraceId)) throw new Error(`not an OTel trace id: ${otelTraceId}`);
  return `1-${otelTraceId.slice(0, 8)}-${otelTraceId.slice(8)}`;
}

/** The fields of an X-Ray segment document the suite looks at. */
export interface XRaySegment {
  id: string;
  trace_id: string;
  name: string;
  parent_id?: string;
  start_time: number;
  end_time?: number;
  error?: boolean;
  fault?: boolean;
  annotations?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  subsegments?: XRaySegment[];
  [field: string]: unknown;
}

export function xrayClient(peers: PeersEnv): XRayClient {
  return new XRayClient(awsClientConfig(peers));
}

export async function xraySegments(client: XRayClient, otelTraceId: string): Promise<XRaySegment[]> {
  const out = await client.send(new BatchGetTracesCommand({ TraceIds: [xrayTraceId(otelTraceId)] }));
  const segments: XRaySegment[] = [];
  for (const t of out.Traces ?? []) {
    for (const s of t.Segments ?? []) {
      if (s.Document) segments.push(JSON.parse(s.Document) as XRaySegment);
    }
  }
  return segments;
}

/** Segments and their subsegments, flattened. */
export function allSegmentNodes(segments: XRaySegment[]): XRaySegment[] {
  const out: XRaySegment[] = [];
  const walk = (s: XRaySegment) => {
    out.push(s);
    for (const sub of s.subsegments ?? []) walk(sub);
  };
  segments.forEach(walk);
  return out;
}

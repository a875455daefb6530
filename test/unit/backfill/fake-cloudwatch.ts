/**
 * An in-process CloudWatch Logs endpoint speaking the real wire protocol (awsJson1_1: POST /,
 * `X-Amz-Target: Logs_20140328.<Operation>`, JSON bodies; errors as status 400 with
 * `{"__type": "...", "message": "..."}`), so tests drive the real `@aws-sdk/client-cloudwatch-logs`
 * client. FilterLogEvents follows the documented behaviour the backfill must cope with: one log
 * group per call, inclusive startTime/endTime, pages with a nextToken, pages that are EMPTY while a
 * nextToken remains, and a quoted-term filter pattern. Logs Insights (StartQuery, GetQueryResults,
 * StopQuery) is fake-logs-insights.ts. Faults are injected per request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { fakeLogsInsights, type FakeInsightsLog, type FakeInsightsOptions } from './fake-logs-insights.js';

export interface FakeLogEvent {
  timestamp: number;
  message: string;
  logStreamName?: string;
}

export interface FakeRequest {
  target: string;
  body: Record<string, unknown>;
  /** 0-based count of requests so far (all operations). */
  index: number;
}

/** A fault answers instead of the normal handler: an HTTP status and a JSON body. */
export type Fault = { status: number; body: Record<string, unknown>; headers?: Record<string, string> } | 'drop';

export interface FakeCloudWatchOptions {
  groups: Record<string, FakeLogEvent[]>;
  /** Events per page (real: up to 10,000 / 1 MB). */
  pageSize?: number;
  /** Every page is preceded by this many empty pages (same position, a fresh nextToken). */
  emptyPagesBetween?: number;
  fault?: (req: FakeRequest) => Fault | undefined;
  insights?: FakeInsightsOptions;
}

export interface FakeCloudWatch {
  endpoint: string;
  requests: FakeRequest[];
  insights: FakeInsightsLog;
  client(): CloudWatchLogsClient;
  close(): Promise<void>;
}

interface Cursor {
  group: string;
  offset: number;
  empties: number;
}

function throttling(): Fault {
  return { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
}
export const faults = {
  throttling,
  serverError: (status = 500): Fault => ({
    status,
    body: { __type: 'ServiceUnavailableException', message: 'The service is unavailable' },
  }),
  expiredToken: (): Fault => ({
    status: 400,
    body: { __type: 'InvalidParameterException', message: 'The specified nextToken has expired.' },
  }),
};

/** Matches the filter pattern forms the backfill sends: empty, or one quoted term. */
function matches(pattern: unknown, message: string): boolean {
  if (typeof pattern !== 'string' || pattern.trim() === '') return true;
  const m = /^"(.*)"$/.exec(pattern.trim());
  return m ? message.includes(m[1]!) : message.includes(pattern.trim());
}

export async function startFakeCloudWatch(options: FakeCloudWatchOptions): Promise<FakeCloudWatch> {
  const requests: FakeRequest[] = [];
  const pageSize = options.pageSize ?? 50;
  const tokens = new Map<string, Cursor>();
  let tokenSeq = 0;
  const eventIds = new Map<FakeLogEvent, string>();
  for (const [group, events] of Object.entries(options.groups)) {
    events.sort((a, b) => a.timestamp - b.timestamp);
    events.forEach((e, i) =>
      eventIds.set(e, `${group.length}${String(e.timestamp).padStart(15, '0')}${String(i).padStart(8, '0')}`),
    );
  }

  // Events pushed into a group after the start (a live group) get their id when first served.
  let lateSeq = 0;
  function idOf(group: string, e: FakeLogEvent): string {
    const id = `${group.length}${String(e.timestamp).padStart(15, '0')}L${String(++lateSeq).padStart(7, '0')}`;
    eventIds.set(e, id);
    return id;
  }

  function filterLogEvents(body: Record<string, unknown>): { status: number; body: Record<string, unknown> } {
    const group = String(body['logGroupName'] ?? '');
    const events = Object.hasOwn(options.groups, group) ? options.groups[group] : undefined;
    if (!events)
      return {
        status: 400,
        body: { __type: 'ResourceNotFoundException', message: 'The specified log group does not exist.' },
      };
    const start = typeof body['startTime'] === 'number' ? body['startTime'] : 0;
    const end = typeof body['endTime'] === 'number' ? body['endTime'] : Number.MAX_SAFE_INTEGER;
    let cursor: Cursor = { group, offset: 0, empties: 0 };
    if (typeof body['nextToken'] === 'string') {
      const known = tokens.get(body['nextToken']);
      if (!known || known.group !== group)
        return {
          status: 400,
          body: { __type: 'InvalidParameterException', message: 'The specified nextToken is invalid.' },
        };
      cursor = known;
    }
    const selected = events.filter(
      (e) => e.timestamp >= start && e.timestamp <= end && matches(body['filterPattern'], e.message),
    );
    const newToken = (c: Cursor): string => {
      const t = `tok-${++tokenSeq}`;
      tokens.set(t, c);
      return t;
    };
    if (cursor.empties < (options.emptyPagesBetween ?? 0) && cursor.offset < selected.length) {
      return {
        status: 200,
        body: { events: [], searchedLogStreams: [], nextToken: newToken({ ...cursor, empties: cursor.empties + 1 }) },
      };
    }
    const page = selected.slice(cursor.offset, cursor.offset + pageSize);
    const offset = cursor.offset + page.length;
    const out: Record<string, unknown> = {
      events: page.map((e) => ({
        logStreamName: e.logStreamName ?? 'ecs/task/1',
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.timestamp + 100,
        eventId: eventIds.get(e) ?? idOf(group, e),
      })),
      searchedLogStreams: [],
    };
    if (offset < selected.length) out['nextToken'] = newToken({ group, offset, empties: 0 });
    return { status: 200, body: out };
  }

  const insights = fakeLogsInsights(options.groups, options.insights);
  function describeLogGroups(body: Record<string, unknown>): Record<string, unknown> {
    const prefix = typeof body['logGroupNamePrefix'] === 'string' ? body['logGroupNamePrefix'] : '';
    const names = Object.keys(options.groups).filter((g) => g.startsWith(prefix));
    return {
      logGroups: names.map((logGroupName) => ({
        logGroupName,
        arn: `arn:aws:logs:us-east-1:123456789012:log-group:${logGroupName}:*`,
      })),
    };
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        /* answered below as a serialization error */
      }
      const request: FakeRequest = { target, body, index: requests.length };
      requests.push(request);
      const send = (status: number, payload: Record<string, unknown>, headers: Record<string, string> = {}): void => {
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': `req-${request.index}`,
          ...headers,
        });
        res.end(JSON.stringify(payload));
      };
      const fault = options.fault?.(request);
      if (fault === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault) return send(fault.status, fault.body, fault.headers);
      if (req.method !== 'POST' || req.url !== '/') return send(404, { __type: 'UnknownOperationException' });
      if (target === 'Logs_20140328.FilterLogEvents') {
        const result = filterLogEvents(body);
        return send(result.status, result.body);
      }
      if (target === 'Logs_20140328.DescribeLogGroups') return send(200, describeLogGroups(body));
      const operation = target.replace(/^Logs_20140328\./, '');
      if (insights.handles(operation)) {
        const result = insights.handle(operation, body);
        return send(result.status, result.body);
      }
      send(400, { __type: 'UnknownOperationException', message: `fake does not implement ${target}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    requests,
    insights: insights.log,
    client: () =>
      new CloudWatchLogsClient({
        endpoint,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake-secret' },
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * `follow --live-tail`: CloudWatch Live Tail (StartLiveTail) over the log groups, with the
 * FilterLogEvents pollers (cloudwatch-poll-source.ts) always underneath.
 *
 * What AWS documents (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html,
 * .../API_StartLiveTailResponseStream.html): up to 10 log groups a session, by ARN; one
 * sessionStart, then a sessionUpdate every second with up to 500 events — above 500 a second the
 * events are SAMPLED (`sessionMetadata.sampled`) and a slow reader loses the oldest beyond 10
 * updates / 5,000 events; a session times out after three hours (SessionTimeoutException).
 * So Live Tail alone loses events, and this source never relies on it alone:
 *  - while a session is up, the pollers go on at the slow pace and fill what it dropped (at once
 *    when an update says it was sampled);
 *  - when the session ends (timeout, error, the server closing it) the pollers go back to the
 *    normal pace at once, covering the gap with their overlap, and a new session is started with
 *    backoff (a session that ended quickly doubles the wait, up to `reconnectMaxMs`);
 *  - when StartLiveTail is refused (no permission, an endpoint that does not serve it) the pollers
 *    carry on alone; the status says why (`lastError`, `live_tail_refused`), a session is tried again
 *    after `reconnectMaxMs`.
 * Live Tail's events carry no eventId, so both paths know an event by a content key (stream, time,
 * message; cloudwatch-poll-source.ts) and neither delivers what the other did. Events from before
 * the pollers' bound are dropped (moto's one update holds every event of the group, old ones too).
 *
 * moto 5.2.5 serves StartLiveTail as a session start and one update holding the group's events,
 * then ends the stream; the SDK parses it (with `disableHostPrefix`, see cloudWatchClient).
 */
import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  type LiveTailSessionLogEvent,
  StartLiveTailCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { classifyAwsError } from '../../backfill/sources/aws-errors.js';
import type { TokenBucket } from '../../backfill/sources/token-bucket.js';
import type {
  FollowLine,
  FollowSource,
  FollowSourceState,
  FollowSourceStatus,
  SourcePosition,
} from '../follow-types.js';
import type { CloudWatchPollSource } from './cloudwatch-poll-source.js';
import { counted, oneLine } from './source-status.js';

/** StartLiveTail's limit on log groups a session (API reference, `logGroupIdentifiers`). */
export const LIVE_TAIL_MAX_GROUPS = 10;

export interface LiveTailOptions {
  client: CloudWatchLogsClient;
  /** One poller per log group, made with `contentDedupe: true`. */
  pollers: readonly CloudWatchPollSource[];
  limiter: TokenBucket;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** A session that lasted at least this long was healthy: the next reconnect waits the minimum. */
  healthySessionMs?: number;
  clock?: () => number;
}

export class LiveTailSource implements FollowSource {
  readonly id: string;
  readonly ended: Promise<void> = new Promise<void>(() => undefined);
  private readonly clock: () => number;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly healthyMs: number;
  private readonly abort = new AbortController();
  private readonly incidents: Record<string, number> = {};
  private sessionUp = false;
  private lastError: string | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  /** ARN (without `:*`) → the poller of that group. */
  private readonly arns = new Map<string, CloudWatchPollSource>();

  constructor(private readonly options: LiveTailOptions) {
    if (options.pollers.length === 0 || options.pollers.length > LIVE_TAIL_MAX_GROUPS)
      throw new Error(`Live Tail takes 1 to ${LIVE_TAIL_MAX_GROUPS} log groups a session`);
    this.id = `cloudwatch-live:${options.pollers.map((p) => p.logGroup).join(',')}`;
    this.clock = options.clock ?? Date.now;
    this.minMs = Math.max(10, options.reconnectMinMs ?? 1000);
    this.maxMs = Math.max(this.minMs, options.reconnectMaxMs ?? 5 * 60_000);
    this.healthyMs = options.healthySessionMs ?? 60_000;
  }

  start(deliver: (lines: readonly FollowLine[]) => void, position?: SourcePosition): void {
    for (const p of this.options.pollers) {
      const own = position?.[`group:${p.logGroup}`];
      // Live Tail's events go out through the poller of their group (acceptLive), so one
      // delivery path and one dedupe serve both.
      p.start(deliver, typeof own === 'string' ? parseInner(own) : undefined);
    }
    this.loop = this.run().catch((err: unknown) => {
      this.lastError = oneLine(err);
    });
  }

  /** Each group's poller position, as JSON text (a position holds flat values only). */
  position(): SourcePosition {
    const out: Record<string, string> = {};
    for (const p of this.options.pollers) out[`group:${p.logGroup}`] = JSON.stringify(p.position());
    return out;
  }

  status(): FollowSourceStatus {
    const inner = this.options.pollers.map((p) => p.status());
    const incidents: Record<string, number> = { ...this.incidents };
    for (const s of inner) for (const [k, v] of Object.entries(s.incidents ?? {})) counted(incidents, k, v);
    const lags = inner.map((s) => s.lagMs).filter((l): l is number => l !== undefined);
    const worst = inner.find((s) => s.state === 'missing' || s.state === 'retrying');
    const state: FollowSourceState = this.stopped
      ? 'ended'
      : (worst?.state ?? (this.sessionUp ? 'reading' : 'waiting'));
    const lastError = this.lastError ?? inner.find((s) => s.lastError)?.lastError;
    return {
      id: this.id,
      state,
      lines: inner.reduce((n, s) => n + s.lines, 0),
      retries: inner.reduce((n, s) => n + s.retries, 0),
      readErrors: inner.reduce((n, s) => n + s.readErrors, 0),
      ...(lags.length > 0 ? { lagMs: Math.max(...lags) } : {}),
      ...(lastError !== undefined ? { lastError } : {}),
      incidents,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
    await Promise.all(this.options.pollers.map((p) => p.stop()));
  }

  /** Sessions, one after another, until stopped. */
  private async run(): Promise<void> {
    let waitMs = this.minMs;
    while (!this.stopped) {
      const began = this.clock();
      const outcome = await this.session();
      if (this.stopped) return;
      this.setCovered(false);
      if (outcome === 'refused') waitMs = this.maxMs;
      else waitMs = this.clock() - began >= this.healthyMs ? this.minMs : Math.min(this.maxMs, waitMs * 2);
      await sleepMs(waitMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }

  /** One session: 'ended' when it ran and stopped, 'refused' when it could not start. */
  private async session(): Promise<'ended' | 'refused'> {
    const arns = await this.groupArns();
    if (arns.size === 0) {
      counted(this.incidents, 'live_tail_no_group');
      return 'ended';
    }
    let stream: AsyncIterable<unknown> | undefined;
    try {
      await this.options.limiter.take();
      const out = await this.options.client.send(new StartLiveTailCommand({ logGroupIdentifiers: [...arns.keys()] }), {
        abortSignal: this.abort.signal,
      });
      stream = out.responseStream;
    } catch (err) {
      if (this.stopped) return 'ended';
      const k = classifyAwsError(err);
      if (k.kind === 'retry') {
        counted(this.incidents, `live_tail_${k.reason}`);
        this.lastError = `Live Tail unavailable (${k.reason}), polling meanwhile: ${oneLine(err)}`;
        return 'ended';
      }
      if (k.kind === 'missing_group') {
        // A group went away since its ARN was looked up: look them up again next time.
        this.arns.clear();
        counted(this.incidents, 'live_tail_no_group');
        return 'ended';
      }
      counted(this.incidents, 'live_tail_refused');
      this.lastError = `Live Tail refused, polling instead: ${k.kind === 'user' ? k.message : oneLine(err)}`;
      return 'refused';
    }
    if (!stream) return 'refused';
    try {
      for await (const event of stream) {
        if (this.stopped) break;
        this.onEvent(event as StreamEvent, arns);
      }
      if (!this.stopped) counted(this.incidents, 'live_tail_ended');
    } catch (err) {
      if (this.stopped) return 'ended';
      const name = (err as { name?: string }).name ?? '';
      counted(this.incidents, name === 'SessionTimeoutException' ? 'live_tail_timeout' : 'live_tail_error');
      this.lastError = `Live Tail session ended: ${oneLine(err)}`;
    } finally {
      this.setCovered(false);
    }
    return 'ended';
  }

  private onEvent(event: StreamEvent, arns: ReadonlyMap<string, CloudWatchPollSource>): void {
    if (event.sessionStart) {
      counted(this.incidents, 'live_tail_sessions');
      this.lastError = undefined;
      this.setCovered(true, arns);
      return;
    }
    const update = event.sessionUpdate;
    if (!update) return;
    const byPoller = new Map<CloudWatchPollSource, LiveTailSessionLogEvent[]>();
    for (const e of update.sessionResults ?? []) {
      const poller = arns.get(stripStar(e.logGroupIdentifier ?? ''));
      if (!poller) continue;
      let list = byPoller.get(poller);
      if (!list) byPoller.set(poller, (list = []));
      list.push(e);
    }
    for (const [poller, events] of byPoller) {
      const n = poller.acceptLive(events);
      if (n > 0) counted(this.incidents, 'live_tail_lines', n);
    }
    if (update.sessionMetadata?.sampled) {
      // The server dropped events: the pollers fetch them now rather than at the slow pace.
      counted(this.incidents, 'live_tail_sampled');
      for (const p of arns.values()) p.pollSoon();
    }
  }

  /** Live Tail covers these groups (their pollers slow down) or no longer does (back to normal, now). */
  private setCovered(covered: boolean, arns?: ReadonlyMap<string, CloudWatchPollSource>): void {
    this.sessionUp = covered;
    const pollers = arns ? [...arns.values()] : this.options.pollers;
    for (const p of pollers) {
      p.setPace(covered);
      if (!covered) p.pollSoon();
    }
  }

  /** The groups' ARNs (StartLiveTail takes ARNs), for those that exist; looked up once each. */
  private async groupArns(): Promise<Map<string, CloudWatchPollSource>> {
    const out = this.arns;
    const known = new Set(out.values());
    for (const p of this.options.pollers) {
      if (known.has(p)) continue;
      try {
        await this.options.limiter.take();
        const res = await this.options.client.send(
          new DescribeLogGroupsCommand({ logGroupNamePrefix: p.logGroup, limit: 50 }),
          { abortSignal: this.abort.signal },
        );
        const g = res.logGroups?.find((x) => x.logGroupName === p.logGroup);
        if (g?.arn) out.set(stripStar(g.arn), p);
      } catch (err) {
        if (this.stopped) return out;
        this.lastError = `Live Tail: cannot look up ${p.logGroup}: ${oneLine(err)}`;
      }
    }
    return out;
  }
}

interface StreamEvent {
  sessionStart?: unknown;
  sessionUpdate?: { sessionMetadata?: { sampled?: boolean }; sessionResults?: LiveTailSessionLogEvent[] };
}

/** DescribeLogGroups' ARN ends in `:*`; StartLiveTail refuses that form and answers without it. */
function stripStar(arn: string): string {
  return arn.endsWith(':*') ? arn.slice(0, -2) : arn;
}

function parseInner(text: string): SourcePosition | undefined {
  if (text.length > 64 * 1024 * 1024) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as SourcePosition) : undefined;
  } catch {
    return undefined;
  }
}

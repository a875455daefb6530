/**
 * Ship captured service stdout to the guide's CloudWatch log groups in moto, the way the ECS
 * awslogs driver would: one log event per line, timestamped with the line's own `time`.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsClientConfig, type PeersEnv } from './peers-env.js';

export function logsClient(peers: PeersEnv): CloudWatchLogsClient {
  return new CloudWatchLogsClient(awsClientConfig(peers));
}

async function ignoreExists(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  }
}

function lineTime(line: string, fallback: number): number {
  try {
    const parsed = JSON.parse(line) as { time?: unknown };
    const t = typeof parsed.time === 'string' ? Date.parse(parsed.time) : NaN;
    return Number.isFinite(t) ? t : fallback;
  } catch {
    return fallback;
  }
}

/** PutLogEvents into `group`/`stream` (created when missing), in time order as the API requires. */
export async function shipLines(
  client: CloudWatchLogsClient,
  group: string,
  stream: string,
  lines: readonly string[],
): Promise<void> {
  await ignoreExists(client.send(new CreateLogGroupCommand({ logGroupName: group })));
  await ignoreExists(client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })));
  const now = Date.now();
  const events = lines
    .filter((line) => line.trim() !== '')
    .map((message) => ({ message, timestamp: lineTime(message, now) }))
    .sort((a, b) => a.timestamp - b.timestamp);
  // PutLogEvents takes ≤ 10,000 events per call; the suite ships far fewer.
  for (let i = 0; i < events.length; i += 10_000) {
    await client.send(
      new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events.slice(i, i + 10_000) }),
    );
  }
}

/**
 * Where the hand-overs travel. Locally: NDJSON spool files in the demo's folder (one line per SQS
 * message or Redis payload), written by the sender process and read by the receiver, which runs
 * after it. When configured: a real SQS queue (`ALAKAI_DEMO_SQS_QUEUE_URL`, endpoint and
 * credentials from the usual AWS environment) and a real Redis list (`ALAKAI_DEMO_REDIS_URL`).
 * The AWS SDK and the Redis client are loaded with dynamic import only then, so the default demo
 * never pays for them.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { parseSqsMessage, type SqsMessage, type SqsMessageAttribute } from './handoff.js';

export interface ReceivedMessage {
  message: SqsMessage;
  /** 1 on first delivery; SQS's ApproximateReceiveCount. */
  receiveCount: number;
  /** Transport's handle to delete or release this delivery. */
  receipt: string;
}

export interface SqsChannel {
  readonly description: string;
  /** Sends one message; resolves to its MessageId. */
  send(body: string, attributes: Record<string, SqsMessageAttribute>): Promise<string>;
  /** Next delivery, or undefined when nothing more arrives before the channel's deadline. */
  receive(): Promise<ReceivedMessage | undefined>;
  /** Done with this delivery. */
  delete(delivery: ReceivedMessage): Promise<void>;
  /** Give the message back for redelivery (what an orchestrator does when no slot is free). */
  release(delivery: ReceivedMessage): Promise<void>;
  close(): Promise<void>;
}

export interface PayloadChannel {
  readonly description: string;
  push(payload: string): Promise<void>;
  /** Next payload, or undefined when nothing more arrives before the channel's deadline. */
  pop(): Promise<string | undefined>;
  close(): Promise<void>;
}

async function readLines(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** SQS in a file: the sender appends messages, the receiver (a later process) replays them. */
export class SpoolSqsChannel implements SqsChannel {
  private queue: ReceivedMessage[] | undefined;

  constructor(private readonly path: string) {}

  get description(): string {
    return `spool file ${this.path}`;
  }

  async send(body: string, attributes: Record<string, SqsMessageAttribute>): Promise<string> {
    const message: SqsMessage = { MessageId: randomUUID(), Body: body, MessageAttributes: attributes };
    await appendFile(this.path, JSON.stringify(message) + '\n');
    return message.MessageId;
  }

  async receive(): Promise<ReceivedMessage | undefined> {
    this.queue ??= (await readLines(this.path)).map((line) => {
      const message = parseSqsMessage(line);
      return { message, receiveCount: 1, receipt: message.MessageId };
    });
    return this.queue.shift();
  }

  async delete(): Promise<void> {}

  async release(delivery: ReceivedMessage): Promise<void> {
    // Like SQS after the visibility timeout: the message comes back later, behind the others.
    this.queue?.push({ ...delivery, receiveCount: delivery.receiveCount + 1 });
  }

  async close(): Promise<void> {}
}

/** A Redis list in a file. */
export class SpoolPayloadChannel implements PayloadChannel {
  private queue: string[] | undefined;

  constructor(private readonly path: string) {}

  get description(): string {
    return `spool file ${this.path}`;
  }

  async push(payload: string): Promise<void> {
    await appendFile(this.path, payload + '\n');
  }

  async pop(): Promise<string | undefined> {
    this.queue ??= await readLines(this.path);
    return this.queue.shift();
  }

  async close(): Promise<void> {}
}

function notHere(what: string): never {
  throw new Error(`${what} is not a hand-over this component uses`);
}

/** For a component that has no SQS hand-over: any use is a bug, and says so. */
export const NO_SQS_CHANNEL: SqsChannel = {
  description: 'no SQS channel',
  send: async () => notHere('SQS'),
  receive: async () => notHere('SQS'),
  delete: async () => notHere('SQS'),
  release: async () => notHere('SQS'),
  close: async () => {},
};

/** For a component that has no Redis hand-over. */
export const NO_PAYLOAD_CHANNEL: PayloadChannel = {
  description: 'no Redis channel',
  push: async () => notHere('Redis'),
  pop: async () => notHere('Redis'),
  close: async () => {},
};

/**
 * Where the hand-overs travel. Locally: NDJSON lines (one per SQS message or Redis payload) that
 * the sender writes to fd 3 and the parent relays to the receiver's stdin. When configured: a real
 * SQS queue (`ALAKAI_DEMO_SQS_QUEUE_URL`, endpoint and credentials from the usual AWS environment)
 * and a real Redis list (`ALAKAI_DEMO_REDIS_URL`).
 * The AWS SDK and the Redis client are loaded with dynamic import only then, so the default demo
 * never pays for them.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type { SqsMessageAttributeValue } from '../sdk/propagation/sqs.js';
import { parseSqsMessage, type SqsMessage } from './handoff.js';

export interface ReceivedMessage {
  message: SqsMessage;
  /** 1 on first delivery; SQS's ApproximateReceiveCount. */
  receiveCount: number;
  /** Transport's handle to delete or release this delivery. */
  receipt: string;
}

export interface SqsChannel {
  readonly description: string;
  /** Sends one message (attributes as the SDK's injectSqsAttributes returns them); resolves to its MessageId. */
  send(body: string, attributes: Record<string, SqsMessageAttributeValue>): Promise<string>;
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

/**
 * The local hand-over: a service writes what it hands on to fd 3, one NDJSON line each, and reads
 * what it is handed from stdin; the parent process relays between them like a queue (and keeps a
 * copy in DIR/handoff/). stdin ending means nothing more will come.
 */
class PipeEnds {
  private lines: AsyncIterator<string> | undefined;
  private out: WriteStream | undefined;
  private inputDone = false;

  /** Next non-empty input line, or undefined at the end of the input. */
  async nextLine(): Promise<string | undefined> {
    if (this.inputDone) return undefined;
    this.lines ??= createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
    for (;;) {
      const next = await this.lines.next();
      if (next.done) {
        this.inputDone = true;
        return undefined;
      }
      if (next.value.trim() !== '') return next.value;
    }
  }

  async writeLine(line: string): Promise<void> {
    this.out ??= createWriteStream('', { fd: HANDOFF_FD });
    if (!this.out.write(line + '\n')) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    if (!this.out) return;
    this.out.end();
    await finished(this.out);
  }
}

/** The fd a component writes its hand-overs to (the parent opens it as a pipe). */
export const HANDOFF_FD = 3;

/** SQS over the parent's relay: send writes the message, receive reads the upstream's messages. */
export class PipeSqsChannel implements SqsChannel {
  readonly description = 'the local relay (stdin / fd 3)';
  private readonly pipe = new PipeEnds();
  private readonly redeliveries: ReceivedMessage[] = [];

  async send(body: string, attributes: Record<string, SqsMessageAttributeValue>): Promise<string> {
    const messageId = randomUUID();
    // The line has the shape of an SQS Message; the receiver parses it back with parseSqsMessage.
    await this.pipe.writeLine(JSON.stringify({ MessageId: messageId, Body: body, MessageAttributes: attributes }));
    return messageId;
  }

  async receive(): Promise<ReceivedMessage | undefined> {
    const line = await this.pipe.nextLine();
    if (line !== undefined) {
      const message = parseSqsMessage(line);
      return { message, receiveCount: 1, receipt: message.MessageId };
    }
    return this.redeliveries.shift();
  }

  async delete(): Promise<void> {}

  async release(delivery: ReceivedMessage): Promise<void> {
    // Like SQS after the visibility timeout: the message comes back later, after the messages
    // already sent (here: once the input has ended), which keeps the run's order deterministic.
    this.redeliveries.push({ ...delivery, receiveCount: delivery.receiveCount + 1 });
  }

  async close(): Promise<void> {
    await this.pipe.close();
  }
}

/** A Redis list over the parent's relay. */
export class PipePayloadChannel implements PayloadChannel {
  readonly description = 'the local relay (stdin / fd 3)';
  private readonly pipe = new PipeEnds();

  async push(payload: string): Promise<void> {
    await this.pipe.writeLine(payload);
  }

  async pop(): Promise<string | undefined> {
    return this.pipe.nextLine();
  }

  async close(): Promise<void> {
    await this.pipe.close();
  }
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

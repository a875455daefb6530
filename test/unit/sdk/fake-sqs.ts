/**
 * A minimal in-process SQS speaking the AWS JSON 1.0 protocol the real `@aws-sdk/client-sqs`
 * uses (`X-Amz-Target: AmazonSQS.<Operation>`), enough for SendMessage and ReceiveMessage, so
 * message attributes travel through the real client's serializer and deserializer.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';

interface StoredMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody: string;
  MessageAttributes?: Record<string, unknown>;
}

export interface FakeSqs {
  client: SQSClient;
  queueUrl: string;
  /** Raw JSON request bodies of SendMessage, as they came over the wire. */
  sentBodies: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startFakeSqs(): Promise<FakeSqs> {
  const queue: StoredMessage[] = [];
  const sentBodies: Record<string, unknown>[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      let reply: unknown;
      if (target === 'AmazonSQS.SendMessage') {
        sentBodies.push(body);
        const message: StoredMessage = {
          MessageId: randomUUID(),
          ReceiptHandle: randomUUID(),
          Body: String(body.MessageBody),
          MD5OfBody: createHash('md5').update(String(body.MessageBody)).digest('hex'),
        };
        if (body.MessageAttributes) message.MessageAttributes = body.MessageAttributes as Record<string, unknown>;
        queue.push(message);
        reply = { MessageId: message.MessageId, MD5OfMessageBody: message.MD5OfBody };
      } else if (target === 'AmazonSQS.ReceiveMessage') {
        reply = { Messages: queue.splice(0, Number(body.MaxNumberOfMessages ?? 1)) };
      } else {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: target }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // Our fake does not compute MD5OfMessageAttributes; the shapes are what this test is about.
    md5: false,
  });
  return {
    client,
    queueUrl: `${endpoint}/000000000000/alakai-orchestrator`,
    sentBodies,
    close: () => {
      client.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

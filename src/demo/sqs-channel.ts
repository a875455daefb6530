/**
 * The SQS hand-over against a real queue (`ALAKAI_DEMO_SQS_QUEUE_URL`). Endpoint, region and
 * credentials come from the AWS SDK's own environment (`AWS_ENDPOINT_URL_SQS` or
 * `AWS_ENDPOINT_URL`, `AWS_REGION`, ...), so moto or LocalStack work without code here.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import { quietAwsSdkNodeVersionWarning } from '../backfill/sources/aws-sdk-warning.js';
import type { SqsMessageAttributeValue } from '../sdk/propagation/sqs.js';
import type { ReceivedMessage, SqsChannel } from './transport.js';
import type { SqsMessage, SqsMessageAttribute } from './handoff.js';

/** How long a receiver waits for the rest of its messages before giving up. */
const RECEIVE_DEADLINE_MS = 30_000;

export async function openSqsChannel(queueUrl: string): Promise<SqsChannel> {
  const sqs = await import('@aws-sdk/client-sqs');
  quietAwsSdkNodeVersionWarning();
  const client = new sqs.SQSClient({});
  const buffered: ReceivedMessage[] = [];

  return {
    description: `SQS queue ${queueUrl}`,

    async send(body: string, attributes: Record<string, SqsMessageAttributeValue>): Promise<string> {
      const out = await client.send(
        new sqs.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: attributes }),
      );
      return out.MessageId ?? '';
    },

    async receive(): Promise<ReceivedMessage | undefined> {
      const deadline = Date.now() + RECEIVE_DEADLINE_MS;
      while (buffered.length === 0 && Date.now() < deadline) {
        const out = await client.send(
          new sqs.ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
        );
        for (const m of out.Messages ?? []) {
          if (!m.MessageId || m.Body === undefined || !m.ReceiptHandle) continue;
          const attributes = Object.create(null) as Record<string, SqsMessageAttribute>;
          for (const [key, a] of Object.entries(m.MessageAttributes ?? {})) {
            if (a.DataType && a.StringValue !== undefined)
              attributes[key] = { DataType: a.DataType, StringValue: a.StringValue };
          }
          const message: SqsMessage = { MessageId: m.MessageId, Body: m.Body, MessageAttributes: attributes };
          const count = Number(m.Attributes?.ApproximateReceiveCount ?? '1');
          buffered.push({ message, receiveCount: Number.isFinite(count) ? count : 1, receipt: m.ReceiptHandle });
        }
      }
      return buffered.shift();
    },

    async delete(delivery: ReceivedMessage): Promise<void> {
      await client.send(new sqs.DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: delivery.receipt }));
    },

    async release(delivery: ReceivedMessage): Promise<void> {
      // Visibility 0: the message is receivable again at once (the demo does not wait out a timeout).
      await client.send(
        new sqs.ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: delivery.receipt,
          VisibilityTimeout: 0,
        }),
      );
    },

    async close(): Promise<void> {
      client.destroy();
    },
  };
}

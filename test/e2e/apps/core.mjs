// Alakai core, reduced to the path the e2e suite needs: an HTTP server that receives a GitHub
// webhook, verifies its HMAC signature (x-hub-signature-256), and enqueues the job on SQS with the
// delivery UUID (x-github-delivery) as the execution's trace id.
// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SpanKind } from '@opentelemetry/api';
import { injectSqsAttributes, withProducerSpan } from 'alakai-otel';
import { announce, requireEnv, requireTracing } from './app-env.mjs';

const tracing = requireTracing();
const secret = requireEnv('E2E_WEBHOOK_SECRET');
const queueUrl = requireEnv('E2E_QUEUE_URL');
const sqs = new SQSClient({});
const MAX_BODY_BYTES = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class SignatureError extends Error {
  name = 'SignatureError';
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function signatureValid(body, header) {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from('sha256=' + createHmac('sha256', secret).update(body).digest('hex'));
  const got = Buffer.from(header);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

async function handleWebhook(req, body) {
  const delivery = req.headers['x-github-delivery'];
  const traceId = typeof delivery === 'string' && UUID.test(delivery) ? delivery.toLowerCase() : undefined;
  return tracing.runSlice(
    {
      event: 'coding.implementation',
      traceId,
      kind: SpanKind.SERVER,
      steps: ['verify_signature', 'parse_event', 'enqueue'],
    },
    async (slice) => {
      const valid = await slice.step('verify_signature', () =>
        signatureValid(body, req.headers['x-hub-signature-256']),
      );
      if (!valid) {
        slice.finish(
          'error',
          'invalid_signature',
          new SignatureError('x-hub-signature-256 does not match the payload'),
        );
        return 401;
      }
      const event = await slice.step('parse_event', () => JSON.parse(body.toString('utf8')));
      const job = {
        trace_id: slice.traceId,
        repo: {
          full_name: String(event.repository?.full_name ?? ''),
          base_ref: String(event.pull_request?.base?.ref ?? 'main'),
        },
        task: { task_id: String(event.task_id ?? ''), task_type: 'implementation', source: 'github_webhook' },
        // Test hook: lets the suite drive the worker into its failure path (scenario 4).
        simulate_failure: event.simulate_failure === true,
      };
      slice.set({ repo: job.repo, task: job.task });
      await slice.step('enqueue', () =>
        withProducerSpan(tracing.tracer, { system: 'aws_sqs', destination: queueUrl.split('/').pop() }, (context) =>
          sqs.send(
            new SendMessageCommand({
              QueueUrl: queueUrl,
              MessageBody: JSON.stringify(job),
              MessageAttributes: injectSqsAttributes({}, context),
            }),
          ),
        ),
      );
      slice.finish('success', 'enqueued');
      return 202;
    },
  );
}

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/webhook') {
    res.writeHead(404).end();
    return;
  }
  readBody(req)
    .then((body) => handleWebhook(req, body))
    .then(
      (status) => res.writeHead(status).end(),
      () => res.writeHead(500).end(),
    );
});

server.listen(0, '127.0.0.1', () => announce('LISTENING', String(server.address().port)));

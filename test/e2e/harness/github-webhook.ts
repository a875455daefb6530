/**
 * A GitHub webhook delivery as GitHub sends it: `x-github-delivery` (a UUID, the execution's
 * trace id) and `x-hub-signature-256` = "sha256=" + HMAC-SHA256(secret, raw body) in hex.
 * https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
 */
import { createHmac, randomUUID } from 'node:crypto';

export interface Delivery {
  id: string;
  status: number;
}

export interface WebhookOptions {
  secret: string;
  payload: Record<string, unknown>;
  /** Sign with another secret (a forged delivery). */
  signWith?: string;
}

export async function sendWebhook(coreUrl: string, options: WebhookOptions): Promise<Delivery> {
  const id = randomUUID();
  const body = JSON.stringify(options.payload);
  const signature =
    'sha256=' +
    createHmac('sha256', options.signWith ?? options.secret)
      .update(body)
      .digest('hex');
  const response = await fetch(`${coreUrl}/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': id,
      'x-hub-signature-256': signature,
    },
    body,
  });
  await response.arrayBuffer();
  return { id, status: response.status };
}

/** The payload fields core reads; `simulateFailure` drives the worker into its error path. */
export function pullRequestMergedPayload(taskId: string, simulateFailure = false): Record<string, unknown> {
  return {
    action: 'closed',
    task_id: taskId,
    repository: { full_name: 'alakai-e2e/sample-repo' },
    pull_request: { merged: true, base: { ref: 'main' }, head: { ref: 'docs/prompts/e2e' } },
    simulate_failure: simulateFailure,
  };
}

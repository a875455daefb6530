/**
 * The sanitizer's corpus against every path that writes text out. test/unit/contract/sanitize.test.ts
 * proves sanitizeText on the corpus; here each secret goes in where a service or a log puts it,
 * and we look at what leaves: the summary line (error.message and the `otel` extension), the
 * exported spans (status messages, exception events, attributes), the backfill's output file,
 * and zero-code spans.
 *
 * Decision (docs/reliability.md, "Secrets"): error texts — error.message, span status messages,
 * exception.message / exception.stacktrace, step-level log text — are redacted on every path.
 * Domain fields (repo, task, pull_request, ...) are the service's own data and travel as they are;
 * the last test pins that, so changing it is a visible decision.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLogLine } from '../../../src/contract/parse.js';
import { summaryEventToSpans } from '../../../src/contract/event-to-spans.js';
import { withProducerSpan } from '../../../src/sdk/propagation/producer.js';
import { toSpanRecord } from '../../../src/sdk/readable-span.js';
import { sdkFixture, type SdkFixture } from '../sdk/sdk-fixture.js';
import { summaryEvent, TRACE_ID } from '../contract/fixtures.js';
import { backfillFiles, tempDir } from '../backfill/backfill-fixture.js';

/** Fake secrets of the right shape (prefix, alphabet, length); obviously fake to a reader. */
const SECRETS = {
  github_token: 'ghp_' + 'FAKEfake0123456789FAKEfake0123456789',
  github_app: 'ghs_' + '0123456789abcdefABCDEF0123456789abcd',
  github_pat:
    'github_pat_' + '11FAKE0000000000000000_' + 'FAKEfake0123456789FAKEfake0123456789FAKEfake0123456789FAKEfake0',
  slack_token: 'xoxb-' + '000000000000-0000000000000-FAKEfakeFAKEfakeFAKEfake',
  aws_access_key_id: 'AKIA' + 'IOSFODNN7EXAMPLE',
  aws_secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.FAKEsignatureFAKEsignature',
  url_password: 'FAKEpassw0rd',
  pem_body: 'MIIEowIBAAKCAQEAFAKEFAKEFAKEFAKEFAKEFAKEFAKE',
};

/** Error messages as libraries really phrase them, each carrying one secret. */
const MESSAGES = [
  `HttpError: Bad credentials for token ${SECRETS.github_token}`,
  `git push failed: https://x-access-token:${SECRETS.github_app}@github.com/org/repo.git`,
  `Resource not accessible by integration (token=${SECRETS.github_pat})`,
  `Slack API invalid_auth for ${SECRETS.slack_token}`,
  `The security token included in the request is invalid. AccessKeyId: ${SECRETS.aws_access_key_id}`,
  `config error: aws_secret_access_key=${SECRETS.aws_secret}`,
  `request failed: Authorization: Bearer ${SECRETS.bearer}`,
  `redis connect ECONNREFUSED redis://default:${SECRETS.url_password}@10.0.3.7:6379`,
  `cannot parse key\n-----BEGIN RSA PRIVATE KEY-----\n${SECRETS.pem_body}\n-----END RSA PRIVATE KEY-----`,
];
const ALL_MESSAGES = MESSAGES.join(' | ');

function expectNoSecret(text: string, where: string): void {
  for (const [kind, secret] of Object.entries(SECRETS))
    expect(text.includes(secret), `${kind} leaked in ${where}`).toBe(false);
}

class AgentError extends Error {}

async function exportedText(f: SdkFixture): Promise<string> {
  const spans = await f.exported();
  return JSON.stringify(
    spans.map((s) => ({ name: s.name, status: s.status, events: s.events, attributes: s.attributes })),
  );
}

describe('SDK paths: nothing that leaves the service carries a secret from an error', () => {
  it.each(MESSAGES)('a slice that throws: %s', async (message) => {
    const f = sdkFixture();
    await f.tracing
      .runSlice({ event: 'coding.implementation' }, () => {
        throw new AgentError(message);
      })
      .catch(() => undefined);
    expectNoSecret(f.raw.join(''), 'summary line');
    expectNoSecret(await exportedText(f), 'exported spans');
    expect(f.summaryLines()[0]!.error).toMatchObject({ type: 'AgentError' });
    await f.tracing.shutdown();
  });

  it('a step that throws, an explicit finish with an error, a string thrown, a hostile toString, a producer send that fails', async () => {
    const f = sdkFixture();
    await f.tracing.runSlice({ event: 'coding.implementation', steps: ['push', 'notify'] }, async (slice) => {
      await slice.step('push', () => Promise.reject(new Error(ALL_MESSAGES))).catch(() => undefined);
      await slice
        .step('notify', () => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- a thrown string is the case under test
          throw ALL_MESSAGES;
        })
        .catch(() => undefined);
      await withProducerSpan(f.tracing.tracer, { system: 'aws_sqs', destination: 'orchestrator' }, () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a thrown non-Error is the case under test
        throw { toString: () => ALL_MESSAGES };
      }).catch(() => undefined);
      slice.finish('error', 'push_failed', new Error(ALL_MESSAGES));
    });
    expectNoSecret(f.raw.join(''), 'summary line (error.message and the otel extension)');
    expectNoSecret(await exportedText(f), 'exported spans');
    await f.tracing.shutdown();
  });

  it('status messages and exceptions the service sets through the OTel API itself are redacted in the line and the exported spans', async () => {
    const f = sdkFixture();
    await f.tracing.runSlice({ event: 'coding.implementation' }, async (slice) => {
      const child = f.tracing.tracer.startSpan('github.push');
      child.recordException(new Error(ALL_MESSAGES));
      child.setStatus({ code: SpanStatusCode.ERROR, message: ALL_MESSAGES });
      child.end();
      slice.span.recordException(new Error(ALL_MESSAGES));
      slice.span.setStatus({ code: SpanStatusCode.ERROR, message: ALL_MESSAGES });
    });
    expectNoSecret(f.raw.join(''), 'summary line');
    expectNoSecret(await exportedText(f), 'exported spans');
    // Redacted the same way on both paths: the span rebuilt from the line equals the exported one.
    const exported = toSpanRecord((await f.exported()).find((s) => s.name === 'coding.implementation')!);
    const parsed = parseLogLine(f.raw.join('').trimEnd());
    if (parsed.kind !== 'summary') throw new Error(`line not read back: ${parsed.kind}`);
    const [rebuilt] = summaryEventToSpans(parsed.event);
    expect(rebuilt!.status).toEqual(exported.status);
    expect(rebuilt!.events).toEqual(exported.events);
    await f.tracing.shutdown();
  });

  it('zero-code: a hand-written summary line with a raw secret becomes spans without it', async () => {
    const f = sdkFixture({ zeroCode: true }, 'worker');
    const event = summaryEvent({
      component: 'worker',
      service: 'alakai-worker',
      outcome: 'error',
      final_status: 'failed',
      error: { type: 'Error', message: ALL_MESSAGES },
    });
    const { time: _t, level: _l, service: _s, component: _c, msg, ...fields } = event as Record<string, unknown>;
    f.tracing.logger.info(fields, msg as string);
    await new Promise((r) => setImmediate(r));
    const text = await exportedText(f);
    expect(text).toContain('REDACTED');
    expectNoSecret(text, 'zero-code spans');
    await f.tracing.shutdown();
  });
});

describe('backfill path: raw secrets in legacy lines never reach the output', () => {
  it('error.message of a summary event and the text and fields of step-level lines are redacted in the spans written', async () => {
    const dir = await tempDir('alakai-secrets-');
    const file = join(dir, 'worker.ndjson');
    const lines = [
      JSON.stringify(
        summaryEvent({
          component: 'worker',
          outcome: 'error',
          final_status: 'failed',
          error: { type: 'GitError', message: ALL_MESSAGES },
        }),
      ),
      ...MESSAGES.map((m, i) =>
        JSON.stringify({
          level: 50,
          time: `2026-05-05T11:59:5${i}.000Z`,
          component: 'worker',
          trace_id: TRACE_ID,
          msg: m,
          stderr: m,
          detail: { cause: m },
        }),
      ),
    ];
    await writeFile(file, lines.join('\n') + '\n');
    const { outputText, spans } = await backfillFiles([file]);
    expect(spans.length).toBeGreaterThan(0);
    expect(outputText).toContain('REDACTED');
    expectNoSecret(outputText, 'backfill output');
  });
});

describe("domain fields are the service's own data (decision, pinned)", () => {
  it('travel unchanged to the line and the span: the bridge does not rewrite what the service chose to log', async () => {
    const f = sdkFixture();
    const url = 'https://github.com/org/repo/pull/42';
    await f.tracing.runSlice(
      { event: 'coding.implementation', fields: { pull_request: { url }, repo: { full_name: 'org/repo' } } },
      () => undefined,
    );
    expect(f.summaryLines()[0]).toMatchObject({ pull_request: { url }, repo: { full_name: 'org/repo' } });
    const [span] = await f.exported();
    expect(span!.attributes['alakai.pull_request.url']).toBe(url);
    await f.tracing.shutdown();
  });
});

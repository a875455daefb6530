/** `node --import alakai-otel/register`: setup driven by the environment, in a real child process. */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/fake-otlp-receiver.js';

const REGISTER = new URL('../../../dist/sdk/register.js', import.meta.url).pathname;
const APP = new URL('../../fixtures/sdk/register-app.mjs', import.meta.url).pathname;

let collector: OtlpReceiver | undefined;
afterEach(async () => {
  await collector?.close();
});

function runApp(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', REGISTER, APP], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('register entry', () => {
  it('sets up from OTEL_* and ALAKAI_COMPONENT, registers the provider and W3C propagator globally', async () => {
    collector = await startOtlpReceiver('ok');
    const result = await runApp({
      ALAKAI_COMPONENT: 'orchestrator',
      OTEL_SERVICE_NAME: 'alakai-orchestrator',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url.replace('/v1/traces', ''),
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging',
    });
    expect(result.code).toBe(0);
    const line = JSON.parse(result.stdout.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 30,
      service: 'alakai-orchestrator',
      component: 'orchestrator',
      event: 'coding.prompt',
      trace_id: '0b6f1c8e-2a8d-4f3e-9b7a-5c4d3e2f1a0b',
    });
    const carrier = JSON.parse(result.stderr.trim().split('\n').at(-1)!) as { traceparent?: string };
    expect(carrier.traceparent).toMatch(/^00-0b6f1c8e2a8d4f3e9b7a5c4d3e2f1a0b-[0-9a-f]{16}-01$/);
    expect(collector.acceptedSpans()).toHaveLength(2); // the slice and the app's own span via trace.getTracer()
  });

  it('OTEL_SDK_DISABLED=true sets nothing up', async () => {
    const result = await runApp({ ALAKAI_COMPONENT: 'worker', OTEL_SDK_DISABLED: 'true' });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('disabled');
    expect(result.stdout).toBe('');
  });
});

/**
 * Issue 11 item 8, from the packed package: CommonJS services work, on the Node running the suite
 * and on the oldest Node the `engines` field admits (installed by scripts/oldest-node.mjs into a
 * cache outside the clone). A `.cjs` service `require`s alakai-otel with its own pino; another is
 * started with `node -r alakai-otel/register`; a process that loads both builds (a `-r` register
 * with an ESM app, an `--import` register with a CommonJS app) shares one AlakaiTracing; and every
 * subpath of `exports` resolves for `require` to the CommonJS build and for `import` to the ESM one.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/fake-otlp-receiver.js';
import { consumerApp, type RunResult } from './harness/app.js';

const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
const app = consumerApp();
const installed = JSON.parse(readFileSync(join(app.dir, 'node_modules/alakai-otel/package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
  exports: Record<string, string | Record<string, unknown>>;
};

/** The oldest admitted Node's binary (installed on first use; a few seconds once cached). */
function oldestNode(): string {
  return execFileSync(process.execPath, [join(REPO_DIR, 'scripts/oldest-node.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

const NODES: Array<{ label: string; binary: () => string }> = [
  { label: `this Node (${process.version})`, binary: () => process.execPath },
  { label: `the oldest Node engines admits (${installed.engines.node})`, binary: oldestNode },
];

/** The last stdout line, parsed: the slice's summary line. */
function summaryLine(result: RunResult): Record<string, unknown> {
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
}

/** A slice run through `tracing`, the body every service below shares (CommonJS and ESM alike). */
function sliceBody(traceId: string): string {
  return `await tracing.runSlice({ event: 'slack.implementation', traceId: '${traceId}', steps: ['enqueue'] }, async (slice) => {
    await slice.step('enqueue', () => 1);
  });
  await tracing.shutdown();`;
}

/** The register entry's instance, or exit 3 saying it is missing (ESM or CommonJS syntax). */
const REQUIRE_REGISTERED = `const tracing = getAlakaiTracing();
if (!tracing) { process.stderr.write('getAlakaiTracing() is undefined: the register entry set up nothing this copy can see\\n'); process.exit(3); }`;

describe.each(NODES)('CommonJS services on $label', ({ binary }) => {
  let node: string;
  let collector: OtlpReceiver;
  beforeAll(async () => {
    node = binary();
    collector = await startOtlpReceiver('ok');
  });
  afterAll(() => collector.close());

  function spansOf(traceId: string) {
    const otelTraceId = traceId.replaceAll('-', '');
    return collector.acceptedSpans().filter((s) => s.traceId === otelTraceId);
  }

  it("require('alakai-otel') with the service's own pino: summary line and spans", async () => {
    const traceId = randomUUID();
    const script = app.write(
      'cjs/require-service.cjs',
      `'use strict';
const pino = require('pino');
const { setupAlakaiTracing } = require('alakai-otel');
const logger = pino({ base: { service: 'alakai-core', component: 'core' }, timestamp: pino.stdTimeFunctions.isoTime });
const tracing = setupAlakaiTracing({ service: 'alakai-core', component: 'core', logger, handleSignals: false });
(async () => {
  ${sliceBody(traceId)}
})().catch((error) => { process.stderr.write(String(error && error.stack) + '\\n'); process.exitCode = 1; });
`,
    );
    const result = await app.run(script, { node, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(summaryLine(result)).toMatchObject({
      trace_id: traceId,
      msg: '[event] slack.implementation -> success',
      steps: { enqueue: 'ok' },
    });
    const spans = spansOf(traceId);
    expect(spans.map((s) => s.name).sort()).toEqual(['enqueue', 'slack.implementation']);
    // The CommonJS build reports the package version as the scope's, like the ESM one.
    expect(spans[0]!.scope).toEqual({ name: 'alakai-otel', version: installed.version });
    expect(spans[0]!.resource['service.name']).toBe('alakai-core');
  });

  it('node -r alakai-otel/register: a CommonJS service gets the tracing the register entry set up', async () => {
    const traceId = randomUUID();
    const script = app.write(
      'cjs/register-service.cjs',
      `'use strict';
const { getAlakaiTracing } = require('alakai-otel');
${REQUIRE_REGISTERED}
(async () => {
  ${sliceBody(traceId)}
})().catch((error) => { process.stderr.write(String(error && error.stack) + '\\n'); process.exitCode = 1; });
`,
    );
    const result = await app.run(script, {
      node,
      nodeArgs: ['-r', 'alakai-otel/register'],
      env: { ALAKAI_COMPONENT: 'worker', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // The register entry's default logger writes the line, with the component it was given.
    expect(summaryLine(result)).toMatchObject({
      trace_id: traceId,
      component: 'worker',
      msg: '[event] slack.implementation -> success',
    });
    const spans = spansOf(traceId);
    expect(spans.map((s) => s.name).sort()).toEqual(['enqueue', 'slack.implementation']);
    expect(spans[0]!.resource['service.name']).toBe('alakai-worker-implementation'); // the guide's log group name (defaultServiceName)
  });

  // One process, both builds: each has its own module state, so the instance must be shared.
  it.each([
    {
      how: 'node -r alakai-otel/register with an ESM app',
      nodeArgs: ['-r', 'alakai-otel/register'],
      file: 'cjs/mixed-app.mjs',
      esm: true,
    },
    {
      how: 'node --import alakai-otel/register with a CommonJS app',
      nodeArgs: ['--import', 'alakai-otel/register'],
      file: 'cjs/mixed-app.cjs',
      esm: false,
    },
  ])('$how: the app sees the same AlakaiTracing', async ({ nodeArgs, file, esm }) => {
    const traceId = randomUUID();
    const script = app.write(
      file,
      esm
        ? `import { getAlakaiTracing } from 'alakai-otel';\n${REQUIRE_REGISTERED}\n${sliceBody(traceId)}\n`
        : `'use strict';\nconst { getAlakaiTracing } = require('alakai-otel');\n${REQUIRE_REGISTERED}\n(async () => {\n${sliceBody(traceId)}\n})().catch((error) => { process.stderr.write(String(error && error.stack) + "\\n"); process.exitCode = 1; });\n`,
    );
    const result = await app.run(script, {
      node,
      nodeArgs,
      env: { ALAKAI_COMPONENT: 'orchestrator', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(summaryLine(result)).toMatchObject({ trace_id: traceId, component: 'orchestrator' });
    expect(spansOf(traceId)).toHaveLength(2);
  });

  it('every exports subpath resolves for require to dist/cjs/ and for import to the ESM build, and loads', async () => {
    const subpaths = Object.keys(installed.exports).map((key) =>
      key === '.' ? 'alakai-otel' : `alakai-otel/${key.slice(2)}`,
    );
    const list = JSON.stringify(subpaths);
    // Paths are printed relative to the package folder, so the expectations read as package paths.
    const requirer = app.write(
      'cjs/resolve-require.cjs',
      `const path = require('node:path');
const root = path.dirname(require.resolve('alakai-otel/package.json'));
const out = {};
for (const s of ${list}) {
  out[s] = path.relative(root, require.resolve(s));
  if (!s.endsWith('.json')) require(s);
}
process.stdout.write(JSON.stringify(out));
`,
    );
    const importer = app.write(
      'cjs/resolve-import.mjs',
      `import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
const root = dirname(fileURLToPath(import.meta.resolve('alakai-otel/package.json')));
const out = {};
for (const s of ${list}) {
  out[s] = relative(root, fileURLToPath(import.meta.resolve(s)));
  if (!s.endsWith('.json')) await import(s);
}
process.stdout.write(JSON.stringify(out));
`,
    );
    // OTEL_SDK_DISABLED: loading alakai-otel/register then sets nothing up and says nothing.
    const env = { OTEL_SDK_DISABLED: 'true' };
    const [required, imported] = await Promise.all([
      app.run(requirer, { node, env }),
      app.run(importer, { node, env }),
    ]);
    expect(required.stderr).toBe('');
    expect(imported.stderr).toBe('');
    const requireTargets = JSON.parse(required.stdout) as Record<string, string>;
    const importTargets = JSON.parse(imported.stdout) as Record<string, string>;
    expect(Object.keys(requireTargets)).toEqual(subpaths);
    for (const s of subpaths) {
      if (s.endsWith('.json')) {
        expect(requireTargets[s], s).toBe(importTargets[s]);
      } else {
        expect(requireTargets[s], `require('${s}')`).toMatch(/^dist\/cjs\/.+\.js$/);
        expect(importTargets[s], `import('${s}')`).toMatch(/^dist\/(?!cjs\/).+\.js$/);
      }
    }
  });
});

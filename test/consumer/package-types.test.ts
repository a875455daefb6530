/**
 * Issue 11 item 8, the package's shape, checked on the tarball the global setup packed:
 * - @arethetypeswrong/cli finds no problem under node10, node16 (from CJS and from ESM) and bundler;
 * - publint (strict) finds nothing, not even a suggestion;
 * - a tiny TypeScript project in the app compiles against the installed package with `module`
 *   commonjs, node16, nodenext, esnext+bundler and preserve+bundler, and each takes its types from
 *   the build its format loads (dist/cjs/ for CommonJS importers, dist/ for ESM ones);
 * - installing the tarball printed no warning about an install or `prepare` script.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, inject, it } from 'vitest';
import { consumerApp } from './harness/app.js';

const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
const packDir = join(inject('consumerRoot'), 'pack');
const tarball = join(
  packDir,
  readdirSync(packDir).find((f) => f.endsWith('.tgz'))!,
);
const app = consumerApp();
// Asynchronous on purpose: a tsc run takes seconds, and a blocked worker misses vitest's RPC calls.
const run = promisify(execFile);

/** Runs a Node script; resolves with its exit code and output whatever the code. */
async function node(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? String(error),
    };
  }
}

describe('the packed package', () => {
  it('installs without a warning about lifecycle scripts', () => {
    // npm 11 lists every dependency with install-type scripts (`prepare` included) not yet allowed.
    expect(app.installLog).not.toMatch(/install-scripts|prepare/);
    expect(app.installLog.split('\n').filter((line) => /warn/i.test(line) && line.includes('alakai-otel'))).toEqual([]);
  });

  it('@arethetypeswrong/cli finds no problem for any entry point and resolution mode', async () => {
    const attw = join(REPO_DIR, 'node_modules/@arethetypeswrong/cli/dist/index.js');
    const result = await node([attw, tarball, '--format', 'json']);
    const report = JSON.parse(result.stdout) as {
      analysis: { entrypoints: Record<string, unknown>; problems: Array<{ kind: string }> };
    };
    expect(report.analysis.problems.map((p) => JSON.stringify(p))).toEqual([]);
    expect(result.code).toBe(0);
    // attw checked each subpath of `exports`, not just the root.
    const exportsKeys = Object.keys(
      (JSON.parse(readFileSync(join(app.dir, 'node_modules/alakai-otel/package.json'), 'utf8')) as { exports: object })
        .exports,
    );
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(exportsKeys.sort());
  });

  it('publint (strict) reports nothing', async () => {
    const tgz = readFileSync(tarball);
    const { messages, pkg } = await publint({
      pack: { tarball: tgz.buffer.slice(tgz.byteOffset, tgz.byteOffset + tgz.byteLength) },
      strict: true,
      level: 'suggestion',
    });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg) ?? m.code}`)).toEqual([]);
  });
});

/** What a user's code does with the types: an error in here means the types did not resolve. */
const USER_CODE = `import { setupAlakaiTracing, type AlakaiTracing } from 'alakai-otel';
import { toAlakaiTraceId } from 'alakai-otel/contract';
import 'alakai-otel/register';
const tracing: AlakaiTracing = setupAlakaiTracing({ service: 'alakai-core', component: 'core' });
export const id: string = toAlakaiTraceId('3f2b8c1e5d4a4e6f9a7b1c2d3e4f5a6b');
// @ts-expect-error \`service\` is required: without real types (an \`any\`) this line is an error.
setupAlakaiTracing({ component: 'core' });
void tracing;
`;

const MODES: Array<{ module: string; moduleResolution: string; files: string[]; cjs: boolean; esm: boolean }> = [
  { module: 'commonjs', moduleResolution: 'node10', files: ['user.ts'], cjs: true, esm: false },
  { module: 'node16', moduleResolution: 'node16', files: ['user.cts', 'user.mts'], cjs: true, esm: true },
  { module: 'nodenext', moduleResolution: 'nodenext', files: ['user.cts', 'user.mts'], cjs: true, esm: true },
  { module: 'esnext', moduleResolution: 'bundler', files: ['user.ts'], cjs: false, esm: true },
  { module: 'preserve', moduleResolution: 'bundler', files: ['user.ts'], cjs: false, esm: true },
];

describe('types of the installed package in a TypeScript project', () => {
  for (const file of ['user.ts', 'user.cts', 'user.mts']) app.write(`types-check/${file}`, USER_CODE);

  it.each(MODES)(
    'module $module, moduleResolution $moduleResolution',
    async ({ module, moduleResolution, files, cjs, esm }) => {
      const project = app.write(
        `types-check/tsconfig.${module}.json`,
        JSON.stringify({
          compilerOptions: {
            module,
            moduleResolution,
            target: 'es2022',
            strict: true,
            noEmit: true,
            // As most projects have it (and 3x faster); the package's .d.ts files resolving their own
            // imports is attw's check above (InternalResolutionError).
            skipLibCheck: true,
            types: ['node'],
            typeRoots: [join(REPO_DIR, 'node_modules/@types')],
          },
          files,
        }),
      );
      const tsc = join(REPO_DIR, 'node_modules/typescript/bin/tsc');
      const result = await node([tsc, '-p', project, '--listFiles']);
      const errors = result.stdout.split('\n').filter((line) => line.includes('error TS'));
      expect(errors).toEqual([]);
      expect(result.code).toBe(0);
      const ours = result.stdout.split('\n').filter((f) => f.includes('node_modules/alakai-otel/'));
      const fromCjs = ours.filter((f) => f.includes('/alakai-otel/dist/cjs/'));
      const fromEsm = ours.filter((f) => !f.includes('/alakai-otel/dist/cjs/'));
      expect(
        fromCjs.some((f) => f.endsWith('/dist/cjs/index.d.ts')),
        'CommonJS types used',
      ).toBe(cjs);
      expect(
        fromEsm.some((f) => f.endsWith('/alakai-otel/dist/index.d.ts')),
        'ESM types used',
      ).toBe(esm);
    },
  );
});

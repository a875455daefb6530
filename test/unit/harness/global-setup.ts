/**
 * Makes sure dist/ is built from the current sources before the unit suite. Several unit tests run
 * the shipped code as a real child process (the CLI, `--import alakai-otel/register`, the SIGTERM
 * and burst fixtures), and those import dist/. With this setup such a test never runs against a
 * missing or stale build and never skips: `npx vitest run <file>` gets the same guarantee as
 * `npm test`. A failed build fails the run, with the compiler's output.
 *
 * The build takes tens of seconds, so it is skipped when dist/ is already complete and newer than
 * every input: each src/ module has its dist/ .js and no dist/ .js is left over from a deleted one,
 * and no source or build setting changed after the oldest output was written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function filesUnder(dir: string, suffix: string, skip?: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name))
    .filter((file) => skip === undefined || !file.startsWith(join(ROOT, skip)));
}

/** Why dist/ must be (re)built, or undefined when it is up to date. */
export function staleReason(): string | undefined {
  // scripts/build.mjs writes dist/cjs/package.json last: without it the last build did not finish.
  if (!existsSync(join(ROOT, 'dist/cjs/package.json'))) return 'dist/ is missing or incomplete';
  const sources = filesUnder('src', '.ts').map((f) => relative(join(ROOT, 'src'), f).replace(/\.ts$/, '.js'));
  const outputs = filesUnder('dist', '.js', 'dist/cjs').map((f) => relative(join(ROOT, 'dist'), f));
  const built = new Set(outputs);
  const missing = sources.find((s) => !built.has(s));
  if (missing !== undefined) return `dist/${missing} is missing`;
  const known = new Set(sources);
  const leftover = outputs.find((o) => !known.has(o));
  if (leftover !== undefined) return `dist/${leftover} has no source any more`;
  const builtAt = Math.min(...outputs.map((o) => statSync(join(ROOT, 'dist', o)).mtimeMs));
  const inputs = [
    ...filesUnder('src', ''),
    ...['scripts/build.mjs', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.cjs.json', 'package.json'].map((f) =>
      join(ROOT, f),
    ),
  ];
  const newer = inputs.find((f) => statSync(f).mtimeMs > builtAt);
  return newer === undefined ? undefined : `${relative(ROOT, newer)} changed after the last build`;
}

export default function setup(): void {
  const reason = staleReason();
  if (reason === undefined) return;
  process.stdout.write(`unit tests: building dist/ (${reason})\n`);
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) {
    throw new Error(
      `unit tests need dist/: \`node scripts/build.mjs\` failed (exit ${build.status ?? build.signal})\n${build.stdout}${build.stderr}`,
    );
  }
  const still = staleReason();
  if (still !== undefined) throw new Error(`unit tests need dist/: after \`node scripts/build.mjs\`, ${still}`);
}

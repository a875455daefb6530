#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/. The published package ships dist/ (built by `prepack`);
// a fresh clone has none after `npm ci` (there is no `prepare` script: npm warns about one to every
// user who installs the tarball), so the first run there builds it from src/.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  const build = new URL('../scripts/build.mjs', import.meta.url);
  if (!existsSync(build)) {
    process.stderr.write('alakai-otel: the installed package has no dist/cli/main.js; reinstall it\n');
    process.exit(1);
  }
  process.stderr.write('alakai-otel: dist/ is missing (a fresh clone); building it with `npm run build` first\n');
  // The build's own output goes to stderr, so the command's stdout stays the command's.
  const result = spawnSync(process.execPath, [fileURLToPath(build)], { stdio: ['ignore', 2, 2] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));

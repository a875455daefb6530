#!/usr/bin/env node
/** `npm version` hook: writes package.json's version into src/sdk/version.ts (see that file for why). */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const file = join(root, 'src/sdk/version.ts');
const text = readFileSync(file, 'utf8');
const next = text.replace(/export const PACKAGE_VERSION = '[^']*';/, `export const PACKAGE_VERSION = '${version}';`);
if (next === text && !text.includes(`'${version}'`)) {
  process.stderr.write('sync-version: PACKAGE_VERSION not found in src/sdk/version.ts\n');
  process.exit(1);
}
writeFileSync(file, next);

#!/usr/bin/env node
/**
 * `npm run build`: the dual build. ESM into dist/ (what `import` and the CLI load) and CommonJS
 * into dist/cjs/ (what `require` and `node -r` load), each with its own .d.ts, so that types
 * resolve under `module: commonjs`, `node16`/`nodenext` and `bundler` alike. dist/cjs/package.json
 * says `"type": "commonjs"`: without it Node and TypeScript would take the .js and .d.ts files
 * there for ESM, since the package itself is `"type": "module"`.
 * (Node: https://nodejs.org/api/packages.html#determining-module-system)
 *
 * dist/ is removed first so that a file deleted from src/ does not linger in the tarball.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function compile(project) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', join(root, project)], { cwd: root, stdio: 'inherit' });
    child.on('close', (code) => resolve(code === 0 ? undefined : project));
  });
}

/**
 * A local named `exports`, `module` or `require` compiles without complaint (TypeScript only
 * reserves them at the top level, and @types/node declares them globally), but in the CommonJS
 * output it shadows the module's own binding: `exports.X` then throws or writes to the wrong
 * object. Refuse such a name in the files the CommonJS build compiles.
 */
function cjsReservedNames() {
  const found = [];
  const files = [join(root, 'src/index.ts')];
  for (const dir of ['src/sdk', 'src/contract', 'src/lambda', 'src/backfill/sinks']) {
    for (const entry of readdirSync(join(root, dir), { recursive: true })) {
      if (String(entry).endsWith('.ts')) files.push(join(root, dir, String(entry)));
    }
  }
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/\b(?:const|let|var|function|class)\s+(?:exports|module|require|__filename|__dirname)\b/.test(line))
          found.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  return found;
}

const reserved = cjsReservedNames();
if (reserved.length > 0) {
  process.stderr.write(
    `build: these names shadow CommonJS bindings in dist/cjs/; rename them:\n${reserved.join('\n')}\n`,
  );
  process.exit(1);
}

rmSync(join(root, 'dist'), { recursive: true, force: true });
// The two builds write to disjoint folders, so they run side by side.
const failed = (await Promise.all([compile('tsconfig.build.json'), compile('tsconfig.cjs.json')])).filter(Boolean);
if (failed.length > 0) {
  process.stderr.write(`build: tsc -p ${failed.join(', ')} failed\n`);
  process.exit(1);
}
mkdirSync(join(root, 'dist/cjs'), { recursive: true });
writeFileSync(join(root, 'dist/cjs/package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');

/** The package version, for the instrumentation scope (read once from package.json beside dist/ or src/). */
import { readFileSync } from 'node:fs';

function readVersion(): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

export const PACKAGE_VERSION: string | undefined = readVersion();

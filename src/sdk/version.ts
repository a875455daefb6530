/**
 * The package version, for the instrumentation scope. A constant rather than a read of
 * package.json relative to this module: locating this file needs `import.meta.url` in ESM and
 * `__filename` in CommonJS, and the same source is compiled to both (scripts/build.mjs).
 * test/unit/sdk/version.test.ts fails when it differs from package.json, and `npm version`
 * rewrites it (the `version` script: scripts/sync-version.mjs).
 */
export const PACKAGE_VERSION = '0.1.0';

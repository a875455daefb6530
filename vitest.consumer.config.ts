import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The adoption scenarios: the packed package installed into a fresh app, each scenario a child
    // process there (test/consumer/harness). Scenarios that need moto or Redis read .peers/env.
    include: ['test/consumer/**/*.test.ts'],
    globalSetup: ['test/consumer/harness/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    // Fails the run at once, naming the peer, when one is not up (see scripts/peers.sh).
    globalSetup: ['test/e2e/harness/global-setup.ts'],
    // The peers are shared processes on fixed loopback ports: run the files one after another.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

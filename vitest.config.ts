import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The bench's own checks (input generator, naive converter) run here too, so a broken bench
    // harness fails `npm test` rather than the next `npm run bench`.
    include: ['test/unit/**/*.test.ts', 'bench/test/**/*.test.ts'],
    // Builds dist/ when it is missing or older than src/: the tests that run the shipped code as a
    // child process (CLI, register, SIGTERM and burst fixtures) never meet a stale build or skip.
    globalSetup: ['test/unit/harness/global-setup.ts'],
    // Child-process fixtures (SIGTERM, kill-and-resume) need more than the 5 s default.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

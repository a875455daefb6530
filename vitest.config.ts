import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    // Child-process fixtures (SIGTERM, kill-and-resume) need more than the 5 s default.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

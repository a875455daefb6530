import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The bench's own checks (input generator, naive converter) run here too, so a broken bench
    // harness fails `npm test` rather than the next `npm run bench`.
    include: ['test/unit/**/*.test.ts', 'bench/test/**/*.test.ts'],
    // Child-process fixtures (SIGTERM, kill-and-resume) need more than the 5 s default.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

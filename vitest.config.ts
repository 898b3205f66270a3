import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One engine, test image and registry per run, shared by all test files (see test/harness).
    globalSetup: ['test/harness/global-setup.ts'],
    // Integration tests drive a real Docker engine: image pulls and stop grace periods take seconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Generous teardown: stopping a private dockerd may take up to ~20 s.
    teardownTimeout: 60_000,
    pool: 'forks',
  },
});

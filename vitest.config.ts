import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CommonJS and ESM builds; Vite would give src/ the ESM one while dependencies
    // loaded by Node get the CommonJS one, and graphql refuses types from "another realm".
    // Node (and so `npm start`) resolves the CommonJS build everywhere: make the tests do the same.
    alias: { graphql: createRequire(import.meta.url).resolve('graphql') },
  },
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
    // One file at a time: files share one engine and two cores, and CPU figures (a busy container
    // above 50%) or timings measured while another file burns CPU would be the machine's, not berth's.
    fileParallelism: false,
  },
});

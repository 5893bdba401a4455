import { defineConfig } from 'vitest/config';

// Slow tests against real processes and real clients: `npm run -w @esdl-lab/cube-server test:integration`.
// One file at a time: the load test must have the machine's cores to itself.
export default defineConfig({
  test: {
    name: 'cube-server-integration',
    environment: 'node',
    root: new URL('..', import.meta.url).pathname,
    include: ['test-integration/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000
  }
});

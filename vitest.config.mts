import { defineConfig } from 'vitest/config';

// Unit tests of every package: `packages/<name>/test/**/*.test.ts`, each package a project so that it can
// pick its own environment (jsdom for code that touches `document`, node for the rest).
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts']
  }
});

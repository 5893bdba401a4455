import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cube-server',
    environment: 'node',
    include: ['test/**/*.test.ts']
  }
});

import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cube3d',
    environment: 'node',
    include: ['test/**/*.test.ts']
  }
});

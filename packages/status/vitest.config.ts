import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'status',
    environment: 'jsdom',
    include: ['test/**/*.test.ts']
  }
});

import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'launcher',
    environment: 'jsdom',
    include: ['test/**/*.test.ts']
  }
});

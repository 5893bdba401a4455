import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'mlflow',
    environment: 'jsdom',
    include: ['test/**/*.test.ts']
  }
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The sources only: `npm run build` puts compiled copies of the tests in dist/.
  test: { include: ['test/**/*.test.ts'] },
});

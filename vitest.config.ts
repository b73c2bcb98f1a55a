import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('./', import.meta.url));

// The package's own subpath exports, resolved to their sources as Node resolves `cairn/*`.
const subpaths = {
  'cairn/workflow': 'sdk/workflow/index.ts',
  'cairn/activity': 'sdk/activity/index.ts',
  'cairn/client': 'sdk/client/index.ts',
  'cairn/worker': 'sdk/worker/index.ts',
  'cairn/testing': 'sdk/testing/index.ts',
  'cairn/common': 'sdk/common/index.ts',
  'cairn/cdk': 'lib/index.ts',
};

export default defineConfig({
  resolve: {
    alias: Object.entries(subpaths).map(([find, path]) => ({ find, replacement: root + path })),
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('./', import.meta.url));

// Inside the repository `cairnflow/*` resolves to the sources (the `source` condition of
// package.json's exports), so tests run without a build; the exports map is the one list.
const exportsMap = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).exports as Record<
  string,
  string | { source: string }
>;
const alias = Object.entries(exportsMap).flatMap(([subpath, target]) =>
  typeof target === 'string'
    ? []
    : [{ find: `cairnflow${subpath.slice(1)}`, replacement: root + target.source.slice(2) }],
);

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

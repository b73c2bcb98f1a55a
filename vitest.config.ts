import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

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

/** Files that start a local stack or child processes: each runs for tens of seconds. */
const HEAVY = ['test/integration/local/', 'test/e2e/'];

/**
 * The heavy files first, then the rest, each part in vitest's own order (longest first by the last
 * run's times, or largest file first on a fresh clone, where a 36-line file like the chaos run's
 * would otherwise start last and run alone at the end): the quick files fill in beside the last
 * heavy ones.
 */
class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const heavy = (file: TestSpecification) => HEAVY.some((dir) => file.moduleId.startsWith(root + dir));
    return [...sorted.filter(heavy), ...sorted.filter((file) => !heavy(file))];
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time, whatever the machine reports (vitest's default on 2 cores is one): most
    // local-stack and e2e files spend their time waiting (visibility timeouts, DynamoDB Local, child
    // processes), so a second file fills that wait. Each file starts its own stack on its own ports.
    maxWorkers: 2,
    sequence: { sequencer: HeavyFirstSequencer },
  },
});

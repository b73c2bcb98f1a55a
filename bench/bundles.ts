import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  bundleLambda,
  LAMBDA_ENTRIES,
  type LambdaName,
  loadInFreshNode,
} from '../test/support/lambda-bundle.ts';
import { median } from './measure.ts';
import { type BenchResult, mergeResults, printTable } from './results.ts';

/** Fresh processes per bundle: each pays a whole cold module load, so a few suffice for a median. */
const COLD_LOADS = 7;

/**
 * Lambda bundles: the size of each function's minified bundle (what a cold start downloads and
 * parses) and its cold init time (importing the bundle in a fresh Node 22 process, as Lambda's
 * runtime does before the first invocation; median of `COLD_LOADS` processes). Bundled with the
 * settings the CDK constructs use (`CAIRN_ESBUILD_SETTINGS`).
 */
export async function benchBundles(): Promise<BenchResult[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'cairn-bench-bundles-'));
  try {
    const results: BenchResult[] = [];
    for (const name of Object.keys(LAMBDA_ENTRIES) as LambdaName[]) {
      const bundle = await bundleLambda(name, outdir);
      const loads = Array.from({ length: COLD_LOADS }, () => loadInFreshNode(bundle.path));
      const entry = LAMBDA_ENTRIES[name].entry;
      results.push(
        {
          name: `bundle.${name}.bytes`,
          value: bundle.bytes,
          unit: 'bytes',
          note: `${entry}, minified ESM, ${bundle.inputs.length} modules reached; largest: ${largestInputs(bundle.bytesByInput)}`,
        },
        {
          name: `bundle.${name}.cold_init`,
          value: median(loads.map((load) => load.initMs)),
          unit: 'ms',
          note: `wall time of the bundle's import in a fresh Node 22 process (no invocation), median of ${COLD_LOADS} processes`,
        },
        {
          name: `bundle.${name}.cold_init.cpu`,
          value: median(loads.map((load) => load.initCpuMs)),
          unit: 'ms',
          note: 'CPU time of the same imports (user + system), median: the figure other load on the machine disturbs least',
        },
      );
    }
    return results;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The biggest contributors to a bundle, by package (or top-level folder of this repository). */
function largestInputs(bytesByInput: Record<string, number>, count = 4): string {
  const byGroup = new Map<string, number>();
  for (const [input, bytes] of Object.entries(bytesByInput)) {
    const group =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
    byGroup.set(group, (byGroup.get(group) ?? 0) + bytes);
  }
  return [...byGroup]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([group, bytes]) => `${group} ${(bytes / 1024).toFixed(0)} KB`)
    .join(', ');
}

// `npx tsx --conditions=source bench/bundles.ts`: this stage alone (no engine, no local stack).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await benchBundles();
  printTable(results);
  mergeResults(fileURLToPath(new URL('./results.json', import.meta.url)), results);
}

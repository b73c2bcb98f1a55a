import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { CAIRN_CONDITIONS, CAIRN_ESBUILD_SETTINGS } from '../../lib/bundling.ts';

/** The repository root: esbuild runs here, so metafile inputs are paths relative to it. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every Lambda entry Cairn ships or a user writes: the engine's four handlers and two workers (the
 * loan example, and a worker written the way a user writes one, from the package's public
 * subpaths only). Names are stable: `bench/results.json` keys its figures by them.
 */
export const LAMBDA_ENTRIES = {
  api: { entry: 'functions/api.ts', kind: 'engine' },
  router: { entry: 'functions/router.ts', kind: 'engine' },
  system: { entry: 'functions/system.ts', kind: 'engine' },
  sweeper: { entry: 'functions/sweeper.ts', kind: 'engine' },
  loan_worker: { entry: 'examples/loan/worker.ts', kind: 'worker' },
  user_worker: { entry: 'test/fixtures/user-worker/worker.ts', kind: 'worker' },
} as const satisfies Record<string, { entry: string; kind: 'engine' | 'worker' }>;

export type LambdaName = keyof typeof LAMBDA_ENTRIES;

/** A bundle written to disk, with what esbuild says went into it. */
export interface LambdaBundle {
  name: LambdaName;
  /** Absolute path of the `.mjs` file. */
  path: string;
  /** Size of the minified bundle on disk. */
  bytes: number;
  /** Every input esbuild put into the bundle (repository-relative, `node_modules/...` for packages). */
  inputs: string[];
  /** How many bytes of the output each input accounts for. */
  bytesByInput: Record<string, number>;
  /** What each input imports (resolved paths; external imports by their specifier). */
  importsByInput: Record<string, string[]>;
}

/**
 * Bundles one Lambda entry with the settings every Cairn function is bundled with
 * (`CAIRN_ESBUILD_SETTINGS`, as `lib/bundling.ts` hands them to esbuild), plus the `source`
 * condition so that `cairnflow/*` resolves to this repository's sources, not to a build in `dist/`.
 */
export async function bundleLambda(name: LambdaName, outdir: string): Promise<LambdaBundle> {
  const path = join(outdir, `${name}.mjs`);
  const result = await build({
    ...CAIRN_ESBUILD_SETTINGS,
    mainFields: [...CAIRN_ESBUILD_SETTINGS.mainFields],
    banner: { js: CAIRN_ESBUILD_SETTINGS.banner },
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, LAMBDA_ENTRIES[name].entry)],
    bundle: true,
    outfile: path,
    conditions: [...(CAIRN_CONDITIONS ?? [])],
    metafile: true,
    logLevel: 'silent',
  });
  const output = outputOf(result.metafile, relative(repoRoot, path));
  const bytesByInput = Object.fromEntries(
    Object.entries(output.inputs).map(([input, { bytesInOutput }]) => [input, bytesInOutput]),
  );
  return {
    name,
    path,
    bytes: statSync(path).size,
    inputs: Object.keys(result.metafile.inputs),
    bytesByInput,
    importsByInput: Object.fromEntries(
      Object.entries(result.metafile.inputs).map(([input, { imports }]) => [
        input,
        imports.map((imported) => imported.path),
      ]),
    ),
  };
}

/** The inputs `from` reaches through its imports, transitively (itself included). */
export function importClosure(bundle: LambdaBundle, from: string): string[] {
  const seen = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const input = pending.pop()!;
    if (seen.has(input)) continue;
    seen.add(input);
    pending.push(...(bundle.importsByInput[input] ?? []));
  }
  return [...seen];
}

function outputOf(metafile: Metafile, relativePath: string): Metafile['outputs'][string] {
  const output = metafile.outputs[relativePath];
  if (!output)
    throw new Error(`esbuild wrote no ${relativePath} (outputs: ${Object.keys(metafile.outputs)})`);
  return output;
}

/**
 * Node 22, the Lambda runtime the constructs deploy (`nodejs22.x`): this process's Node if it is
 * 22, else the one the `node` devDependency installs (npm scripts put it on the PATH; a shell may
 * not).
 */
export function node22(): string {
  if (process.versions.node.startsWith('22.')) return process.execPath;
  const installed = join(repoRoot, 'node_modules/node/bin/node');
  if (!existsSync(installed))
    throw new Error('Node 22 not found: run npm install (the `node` devDependency)');
  return installed;
}

/** What a bundle did in a fresh Node process. */
export interface FreshLoad {
  nodeVersion: string;
  /** `typeof` the bundle's `handler` export. */
  handlerType: string;
  /** Wall time the import took (ms): the module-evaluation part of a cold start. */
  initMs: number;
  /** CPU time (user + system, all threads) the import took (ms): less disturbed by other load. */
  initCpuMs: number;
  /** What the handler returned for the event, when one was given. */
  result?: unknown;
}

/**
 * The environment a Cairn function gets from the Engine construct (`lib/engine.ts`), with
 * made-up names: enough for a handler to build its runtime; nothing is called over the network
 * by the events the bundle tests send.
 */
const FUNCTION_ENVIRONMENT = {
  AWS_REGION: 'us-east-1',
  CAIRN_PREFIX: 'bundle-test',
  CAIRN_HISTORY_TABLE: 'bundle-test-history',
  CAIRN_EXECUTIONS_TABLE: 'bundle-test-executions',
  CAIRN_PAYLOAD_BUCKET: 'bundle-test-payloads',
  CAIRN_LOG_LEVEL: 'error',
};

/**
 * Imports a bundle in a fresh Node 22 process, as Lambda's runtime does for an `index.handler`
 * ESM entry, timing the import from inside the child; then, if `event` is given, invokes the
 * handler once with it.
 */
export function loadInFreshNode(bundlePath: string, event?: unknown): FreshLoad {
  const script = `
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    const module = await import(${JSON.stringify(pathToFileURL(bundlePath).href)});
    const initMs = Number(process.hrtime.bigint() - started) / 1e6;
    const cpu = process.cpuUsage(cpuBefore);
    const initCpuMs = (cpu.user + cpu.system) / 1000;
    const event = ${JSON.stringify(event ?? null)};
    const result = event === null ? undefined : await module.handler(event);
    console.log(JSON.stringify({ nodeVersion: process.version, handlerType: typeof module.handler, initMs, initCpuMs, result }));`;
  const output = execFileSync(node22(), ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    // Nothing of this process's environment but PATH: no endpoints, no credentials.
    env: { PATH: process.env.PATH, ...FUNCTION_ENVIRONMENT },
    timeout: 30_000,
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as FreshLoad;
}

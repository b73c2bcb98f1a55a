import { fileURLToPath } from 'node:url';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * Where esbuild runs for every Cairn function (the engine's own and the workers').
 *
 * @example
 * new Engine(stack, 'Engine', {
 *   bundling: { projectRoot: repoRoot, depsLockFilePath: `${repoRoot}/package-lock.json` },
 * });
 */
export interface CairnBundlingProps {
  /**
   * The directory esbuild runs in; every entry (Cairn's `functions/` and the workers' entry
   * files) must be under it.
   *
   * @default - the directory of `depsLockFilePath`
   */
  readonly projectRoot?: string;
  /**
   * The lock file of the project that installs Cairn (`package-lock.json`, `yarn.lock`,
   * `pnpm-lock.yaml`, `bun.lockb`).
   *
   * @default - the lock file found by walking up from the current directory
   */
  readonly depsLockFilePath?: string;
  /**
   * Extra esbuild settings merged over Cairn's (an escape hatch: `define`, `loader`, `commandHooks`,
   * `metafile`, …). Keep `format` ESM: Cairn's sources are ES modules.
   *
   * @default - Cairn's settings only
   */
  readonly overrides?: BundlingOptions;
}

/**
 * ES modules need `require` for the CommonJS dependencies esbuild inlines (parts of the AWS SDK
 * call it dynamically), so every bundle starts by defining it.
 */
const REQUIRE_BANNER =
  "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";

/**
 * The esbuild settings every Cairn bundle uses, as plain data so that a test can run esbuild with
 * exactly these (see `test/cdk/bundle.test.ts`).
 */
export const CAIRN_ESBUILD_SETTINGS = {
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: REQUIRE_BANNER,
  minify: true,
  // Failure types are error class names (e.g. `nonRetryableErrorTypes: ['IdentityRejected']`);
  // minifying them away would change which failures retry.
  keepNames: true,
} as const;

/**
 * NodejsFunction bundling for a Cairn function: local esbuild (never Docker), ES modules with
 * the SDK bundled in (pinned to the project's version instead of whatever the runtime ships).
 */
export function cairnBundlingOptions(props: CairnBundlingProps | undefined): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: CAIRN_ESBUILD_SETTINGS.target,
    mainFields: [...CAIRN_ESBUILD_SETTINGS.mainFields],
    banner: CAIRN_ESBUILD_SETTINGS.banner,
    minify: CAIRN_ESBUILD_SETTINGS.minify,
    keepNames: CAIRN_ESBUILD_SETTINGS.keepNames,
    sourceMap: true,
    sourcesContent: false,
    bundleAwsSDK: true,
    ...props?.overrides,
  };
}

/** The absolute path of one of Cairn's own Lambda entries (`functions/*.ts`). */
export function engineEntry(name: 'api' | 'router' | 'system' | 'sweeper'): string {
  return fileURLToPath(new URL(`../functions/${name}.ts`, import.meta.url));
}

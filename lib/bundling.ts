import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, type ICommandHooks, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { buildSync } from 'esbuild';
import { EXEC_WRAPPER_FILE, EXEC_WRAPPER_SCRIPT, writeExecWrapperCommands } from './node-flags.ts';

/**
 * Where esbuild runs for a worker's function (the user's entry, bundled in the user's project).
 *
 * @example
 * new Engine(stack, 'Engine', {
 *   bundling: { projectRoot: repoRoot, depsLockFilePath: `${repoRoot}/package-lock.json` },
 * });
 */
export interface CairnBundlingProps {
  /**
   * The directory esbuild runs in; the worker's entry file must be under it.
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
    esbuildArgs: {
      ...(CAIRN_CONDITIONS ? { '--conditions': CAIRN_CONDITIONS.join(',') } : {}),
      ...props?.overrides?.esbuildArgs,
    },
    // Every bundle carries the exec wrapper that starts Node with Cairn's flags; the user's own
    // hooks (an override) still run, ours after theirs.
    commandHooks: withExecWrapper(props?.overrides?.commandHooks),
  };
}

function withExecWrapper(user: ICommandHooks | undefined): ICommandHooks {
  return {
    beforeBundling: (inputDir, outputDir) => user?.beforeBundling(inputDir, outputDir) ?? [],
    beforeInstall: (inputDir, outputDir) => user?.beforeInstall(inputDir, outputDir) ?? [],
    afterBundling: (inputDir, outputDir) => [
      ...(user?.afterBundling(inputDir, outputDir) ?? []),
      ...writeExecWrapperCommands(outputDir),
    ],
  };
}

/**
 * Whether this module runs from the TypeScript sources (inside Cairn's repository, under tsx or
 * vitest) rather than from the built package: then `cairnflow/*` must resolve through the
 * exports' `source` condition when esbuild bundles.
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * esbuild `conditions` that resolve `cairnflow/*` the way this module itself was loaded, or
 * undefined for esbuild's defaults. Setting any replaces the default `module` condition, which the
 * AWS SDK needs for its tree-shakable ES builds, so it is named again.
 */
export const CAIRN_CONDITIONS: readonly string[] | undefined = FROM_SOURCE ? ['source', 'module'] : undefined;

/** One of Cairn's own Lambda handlers. */
export type EngineFunctionName = 'api' | 'router' | 'system' | 'sweeper';

/**
 * The absolute path of one of Cairn's own Lambda entries: `functions/<name>.ts` in the repository,
 * `dist/functions/<name>.js` in the installed package.
 */
export function engineEntry(name: EngineFunctionName): string {
  return fileURLToPath(new URL(`../functions/${name}.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url));
}

/**
 * The code of one of Cairn's own functions, bundled by esbuild from the installed package itself
 * (never from the user's project: its handlers are Cairn's, wherever and however Cairn is
 * installed — a registry tarball, a workspace link or a folder outside the project's root).
 */
export function engineCode(name: EngineFunctionName): lambda.Code {
  const entry = engineEntry(name);
  return lambda.Code.fromAsset(dirname(entry), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds (esbuild is a dependency of Cairn).
      image: DockerImage.fromRegistry('public.ecr.aws/lambda/nodejs:22'),
      // Part of the asset's cache key: the four functions share a source folder, not a bundle.
      command: ['esbuild', name],
      local: {
        tryBundle(outputDir) {
          buildSync({
            ...CAIRN_ESBUILD_SETTINGS,
            mainFields: [...CAIRN_ESBUILD_SETTINGS.mainFields],
            banner: { js: CAIRN_ESBUILD_SETTINGS.banner },
            ...(CAIRN_CONDITIONS && { conditions: [...CAIRN_CONDITIONS] }),
            entryPoints: [entry],
            outfile: join(outputDir, 'index.mjs'),
            bundle: true,
            sourcemap: true,
            sourcesContent: false,
            logLevel: 'error',
          });
          writeFileSync(join(outputDir, EXEC_WRAPPER_FILE), EXEC_WRAPPER_SCRIPT, { mode: 0o755 });
          return true;
        },
      },
    },
  });
}

import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../common/errors.ts';
import type { Logger } from './default-logger.ts';

/**
 * What `bundleWorkflowCode` returns and `Worker.create({ workflowBundle })` takes. `code` is the
 * workflow module bundled with its own imports (`cairnflow/*` left out), as Temporal's bundle; a
 * Cairn worker loads the module itself from `workflowsPath`, in this process.
 */
export interface WorkflowBundle {
  /** The bundled workflow code (ESM): its size tells what the workflows pull in. */
  code: string;
  /** The absolute path of the workflow module the bundle was made from. */
  workflowsPath: string;
}

/** Options of {@link bundleWorkflowCode}, as in Temporal's worker. */
export interface BundleOptions {
  /** Path of the module whose exports are the workflow functions. */
  workflowsPath: string;
  /** Modules workflow code may import although they are Node built-ins (never called in workflows). */
  ignoreModules?: string[];
  /** Told the bundle's size. @default none */
  logger?: Logger;
}

const ESBUILD = 'esbuild';
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/**
 * Bundles a workflow module and checks it the way Temporal's bundler does: every import must
 * resolve, and workflow code must not import Node built-ins (or the AWS SDK): its I/O belongs in
 * activities. Cairn runs workflows as plain modules of the worker's process (the determinism wall
 * is its async-context guard, not a VM), so the worker loads the checked module from its path
 * rather than evaluating `code`; this keeps one instance of `cairnflow/workflow` in the process.
 *
 * @example
 * const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows') });
 * const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'q', workflowBundle, activities });
 */
export async function bundleWorkflowCode(options: BundleOptions): Promise<WorkflowBundle> {
  const known = new Set(['workflowsPath', 'ignoreModules', 'logger']);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new InvalidArgumentError(
        `bundleWorkflowCode: '${key}' is not supported by Cairn (no webpack, no workflow VM, interceptors and converters are set on the worker); pass workflowsPath, ignoreModules or logger`,
      );
    }
  }
  if (!options.workflowsPath) throw new InvalidArgumentError('bundleWorkflowCode needs workflowsPath');
  const workflowsPath = resolve(options.workflowsPath);
  const ignored = new Set(options.ignoreModules ?? []);
  const forbidden = new Set<string>();
  // Loaded on demand (and by a name the Lambda bundler leaves alone): only tests and tools bundle.
  const esbuild = (await import(ESBUILD)) as typeof import('esbuild');
  const result = await esbuild
    .build({
      entryPoints: [workflowsPath],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
      plugins: [
        {
          name: 'cairn-workflow-imports',
          setup(build) {
            build.onResolve({ filter: /^cairnflow(\/|$)/ }, (args) => ({ path: args.path, external: true }));
            build.onResolve({ filter: /.*/ }, (args) => {
              const bare = args.path;
              if (NODE_BUILTINS.has(bare) || bare.startsWith('@aws-sdk/')) {
                if (!ignored.has(bare) && !ignored.has(bare.replace(/^node:/, ''))) forbidden.add(bare);
                return { path: bare, external: true };
              }
              return undefined;
            });
          },
        },
      ],
    })
    .catch((error: Error) => {
      throw new InvalidArgumentError(`Workflow code at ${workflowsPath} does not bundle: ${error.message}`);
    });
  if (forbidden.size) {
    throw new InvalidArgumentError(
      `Your workflow code (or a library it uses) imports ${[...forbidden].join(', ')}, which workflow code must not use: ` +
        'move the I/O into an activity, import only types from it (import type), or list a module that is never called in ignoreModules',
    );
  }
  const code = result.outputFiles[0]!.text;
  options.logger?.info('Workflow bundle created', { workflowsPath, size: code.length });
  return { code, workflowsPath };
}

/** The workflow module path of `Worker.create`'s `workflowBundle`, refusing bundles Cairn cannot load. */
export function workflowsPathOf(bundle: Partial<WorkflowBundle> & { codePath?: string }): string {
  if (typeof bundle?.workflowsPath === 'string') return bundle.workflowsPath;
  throw new InvalidArgumentError(
    "Worker.create: this workflowBundle was not made by cairnflow's bundleWorkflowCode. Cairn runs workflows as modules of the worker process, not from bundled code ({ code } or { codePath }): pass the bundle bundleWorkflowCode({ workflowsPath }) returned, or workflowsPath itself. On AWS, the CDK Worker construct bundles the worker entry",
  );
}

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildContext, context, type Plugin } from 'esbuild';
import type { WorkerHandler } from '../sdk/worker/create-worker.ts';

/** A worker entry file compiled and loaded by `cairn dev`. */
export interface LoadedWorkerEntry {
  /** The entry file, absolute. */
  entry: string;
  /** Its `handler` export, as the CDK Worker construct deploys it. */
  handler: WorkerHandler;
  /** Stops watching the entry's files. */
  dispose(): Promise<void>;
}

/** A worker entry that cannot be compiled or does not export a worker handler. */
export class WorkerEntryError extends Error {
  override readonly name = 'WorkerEntryError';
}

export interface LoadWorkerEntryOptions {
  /** Where the compiled module is written. */
  outDir: string;
  /** The export that holds the handler. @default 'handler' */
  exportName?: string;
  /** Called with the new handler each time the entry or a file it imports changes and compiles. */
  onReload?: (handler: WorkerHandler) => void;
  /** Called when a change does not compile or does not load; the previous handler stays. */
  onReloadError?: (error: Error) => void;
}

/**
 * Packages stay where they are installed: each bare import is resolved as Node would from the
 * importing file and referenced by its absolute URL. So the compiled entry can live anywhere, and
 * `cairnflow` itself is the very module instance the dev server runs (one runtime, one registry).
 */
function externalPackages(): Plugin {
  return {
    name: 'cairn-external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'cairn-inner' || args.path.startsWith('node:')) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'cairn-inner',
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        if (resolved.external) return { path: args.path, external: true };
        return { path: pathToFileURL(resolved.path).href, external: true };
      });
    },
  };
}

function isWorkerHandler(value: unknown): value is WorkerHandler {
  return typeof value === 'function' && typeof (value as { taskQueue?: unknown }).taskQueue === 'string';
}

/**
 * Compiles a worker entry (TypeScript or JavaScript) with esbuild, imports it, and keeps watching
 * it: every change that compiles is imported again and handed to `onReload`.
 *
 * @example
 * const loaded = await loadWorkerEntry('src/worker.ts', { outDir: '.cairn/build', onReload: stack.replaceWorker });
 */
export async function loadWorkerEntry(
  entry: string,
  options: LoadWorkerEntryOptions,
): Promise<LoadedWorkerEntry> {
  const path = resolve(entry);
  if (!existsSync(path)) {
    throw new WorkerEntryError(
      `Worker entry '${entry}' does not exist. Pass the file that exports handler = createWorker({ taskQueue, workflows, activities }).`,
    );
  }
  const exportName = options.exportName ?? 'handler';
  await mkdir(options.outDir, { recursive: true });
  const outfile = join(options.outDir, `${basename(path).replace(/\.[^.]+$/, '')}-${hash(path)}.mjs`);
  let version = 0;
  const importHandler = async (): Promise<WorkerHandler> => {
    version++;
    const module = (await import(`${pathToFileURL(outfile).href}?v=${version}`)) as Record<string, unknown>;
    const handler = module[exportName];
    if (!isWorkerHandler(handler)) {
      throw new WorkerEntryError(
        `Worker entry '${entry}' does not export ${exportName} = createWorker({ taskQueue, workflows, activities }) from 'cairnflow/worker'` +
          ` (its exports: ${Object.keys(module).join(', ') || 'none'}).`,
      );
    }
    return handler;
  };

  let first = true;
  let ready: (result: { handler?: WorkerHandler; error?: Error }) => void = () => {};
  const firstBuild = new Promise<{ handler?: WorkerHandler; error?: Error }>((done) => (ready = done));
  const reload: Plugin = {
    name: 'cairn-reload',
    setup(build) {
      build.onEnd(async (result) => {
        let outcome: { handler?: WorkerHandler; error?: Error };
        if (result.errors.length > 0) {
          const detail = result.errors.map(
            (e) => `${e.location?.file ?? entry}:${e.location?.line ?? '?'}: ${e.text}`,
          );
          outcome = {
            error: new WorkerEntryError(
              `Worker entry '${entry}' does not compile:\n  ${detail.join('\n  ')}`,
            ),
          };
        } else {
          outcome = await importHandler().then(
            (handler) => ({ handler }),
            (error: Error) => ({ error }),
          );
        }
        if (first) {
          first = false;
          ready(outcome);
        } else if (outcome.handler) options.onReload?.(outcome.handler);
        else if (outcome.error) options.onReloadError?.(outcome.error);
      });
    },
  };
  const ctx: BuildContext = await context({
    entryPoints: [path],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    sourcemap: 'inline',
    // Inside Cairn's repository (this module runs from its sources) `cairnflow/*` resolves to the
    // sources too; naming any condition drops esbuild's default `module`, so it is named again.
    ...(import.meta.url.endsWith('.ts') && { conditions: ['source', 'module'] }),
    logLevel: 'silent',
    plugins: [externalPackages(), reload],
  });
  await ctx.watch();
  const { handler, error } = await firstBuild;
  if (!handler) {
    await ctx.dispose();
    throw error;
  }
  return { entry: path, handler, dispose: () => ctx.dispose() };
}

/** A short stable name for an entry path, so two entries named `worker.ts` do not collide. */
function hash(path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 8);
}

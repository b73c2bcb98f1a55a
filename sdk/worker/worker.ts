import { pathToFileURL } from 'node:url';
import type { Connection } from '../client/connection.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { loadDataConverter } from '../common/stored-payload.ts';
import {
  createWorkerRegistry,
  type WorkerDefinition,
  type WorkerRegistry,
} from '../runtime/worker-registry.ts';
import { isWorkerHost, type WorkerHost } from './worker-host.ts';
import { type WorkflowBundle, workflowsPathOf } from './workflow-bundle.ts';

/** Options of `Worker.create`, as in Temporal's worker. */
export interface WorkerOptions extends WorkerDefinition {
  connection: Connection;
  /** Path of a module whose exports are the workflow functions (instead of `workflows`). */
  workflowsPath?: string;
  /** What `bundleWorkflowCode({ workflowsPath })` returned (instead of `workflows` or `workflowsPath`). */
  workflowBundle?: WorkflowBundle;
  /** Accepted as in Temporal; a Cairn worker serves its task queue's tasks of every namespace. */
  namespace?: string;
}

const WORKER_OPTIONS = new Set([
  'connection',
  'taskQueue',
  'workflows',
  'workflowsPath',
  'workflowBundle',
  'activities',
  'dataConverter',
  'maxCachedWorkflows',
  'maxEagerActivities',
  'namespace',
]);

/** Temporal worker options Cairn has no meaning for, refused rather than ignored. */
function checkWorkerOptions(options: object): void {
  for (const key of Object.keys(options)) {
    if (WORKER_OPTIONS.has(key)) continue;
    const why = /^max|Concurren|Poll|Slot|tuner$/i.test(key)
      ? 'concurrency and polling are the Lambda function’s (the Worker construct’s settings, the event source mappings)'
      : /interceptor|sink/i.test(key)
        ? 'Cairn has no worker interceptors or sinks yet'
        : 'Cairn has no such worker option';
    throw new InvalidArgumentError(
      `Worker.create: '${key}' is not supported: ${why}. Remove it; the options are ${[...WORKER_OPTIONS].join(', ')}`,
    );
  }
}

/** Where a worker's workflows come from: a module object, a module path, or a checked bundle. */
export interface WorkflowSources {
  workflows?: object;
  workflowsPath?: string;
  workflowBundle?: WorkflowBundle;
}

/**
 * Resolves `workflowsPath` (or a bundle's path) to its module, so the definition names its
 * workflows as a module object; at most one of the three may be given.
 */
export async function resolveWorkflows<D extends WorkflowSources>(
  options: D,
): Promise<Omit<D, 'workflowsPath' | 'workflowBundle'>> {
  const sources = [options.workflows, options.workflowsPath, options.workflowBundle].filter(
    (source) => source !== undefined,
  );
  if (sources.length > 1)
    throw new InvalidArgumentError('Pass one of workflows, workflowsPath or workflowBundle, not several');
  const path =
    options.workflowBundle !== undefined ? workflowsPathOf(options.workflowBundle) : options.workflowsPath;
  const { workflowsPath: _path, workflowBundle: _bundle, ...definition } = options;
  if (path === undefined) return definition;
  return { ...definition, workflows: (await import(pathToFileURL(path).href)) as object };
}

/** Loads a worker definition, resolving `workflowsPath` to its module. */
export async function loadWorkerDefinition(
  options: Omit<WorkerOptions, 'connection'>,
): Promise<WorkerRegistry> {
  const definition = await resolveWorkflows(options);
  const dataConverter = await loadDataConverter(definition.dataConverter);
  return createWorkerRegistry({ ...definition, ...(dataConverter && { dataConverter }) });
}

/**
 * Runs a task queue's workflows and activities in this process, against an in-process engine
 * (the test environment's `nativeConnection`). On AWS a worker is a Lambda function instead:
 * export `createWorker(...)` as its handler.
 *
 * @example
 * const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'loans', workflowsPath: require.resolve('./workflows'), activities });
 * await worker.runUntil(env.client.workflow.execute(loanApplication, { taskQueue: 'loans', workflowId: 'loan-1', args: [app] }));
 */
export class Worker {
  private running = false;
  /** Settles once `run` has attached the worker (or failed to). */
  private attached: Promise<void> = Promise.resolve();
  private shutdownRequested: (() => void) | undefined;

  private constructor(
    private readonly connection: WorkerHost,
    readonly registry: WorkerRegistry,
  ) {}

  static async create(options: WorkerOptions): Promise<Worker> {
    if (!isWorkerHost(options.connection)) {
      throw new InvalidArgumentError(
        'Worker.create needs an in-process connection (TestWorkflowEnvironment.nativeConnection). ' +
          'On AWS, workers are Lambda functions: export createWorker({ taskQueue, workflows, activities }) as the handler.',
      );
    }
    checkWorkerOptions(options);
    const registry = await loadWorkerDefinition(options);
    await options.connection.prepareWorker?.(registry);
    return new Worker(options.connection, registry);
  }

  get taskQueue(): string {
    return this.registry.taskQueue;
  }

  /** Polls its task queue until `shutdown()` is called. */
  async run(): Promise<void> {
    if (this.running) throw new InvalidArgumentError(`Worker for '${this.taskQueue}' is already running`);
    this.running = true;
    const shutdown = new Promise<void>((resolve) => {
      this.shutdownRequested = resolve;
    });
    const attaching = this.connection.attachWorker(this.registry);
    this.attached = attaching.then(() => undefined);
    this.attached.catch(() => {});
    try {
      const detach = await attaching;
      try {
        await shutdown;
      } finally {
        await detach();
      }
    } finally {
      this.shutdownRequested = undefined;
      this.running = false;
    }
  }

  shutdown(): void {
    this.shutdownRequested?.();
  }

  /** Runs the worker while `work` runs, then stops it; resolves to `work`'s result. */
  async runUntil<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    if (this.running) throw new InvalidArgumentError(`Worker for '${this.taskQueue}' is already running`);
    const running = this.run();
    // The task queue is served before the work starts (the local stack creates its queues first);
    // a worker that cannot attach fails here, before the work.
    await Promise.race([this.attached, running]);
    try {
      return await (typeof work === 'function' ? work() : work);
    } finally {
      this.shutdown();
      await running;
    }
  }
}

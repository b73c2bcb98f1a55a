import type { SQSClient } from '@aws-sdk/client-sqs';
import { MAPPINGS, taskQueueQueues } from '../sdk/backend/definitions.ts';
import { createWorker, type WorkerHandler } from '../sdk/worker/create-worker.ts';
import { createTaskQueueQueues, type TaskQueueQueues } from './create-queues.ts';
import { LocalFunction } from './function-host.ts';
import { type SqsDeliveryHook, SqsMapping } from './sqs-mapping.ts';
import type { LocalWorker } from './stack.ts';

/** What the worker functions of a stack share with the rest of it. */
export interface WorkerFunctionsOptions {
  sqs: SQSClient;
  prefix: string;
  timeoutSeconds: number;
  concurrency: number;
  /** The stack's functions by name (the invoke server's view): worker functions join it. */
  functions: Map<string, LocalFunction<unknown, unknown>>;
  /** The stack's per-task-queue queues: queues of workers added later join it. */
  perTaskQueue: TaskQueueQueues[];
  /** A fault injector's hold on the mappings' deliveries (chaos runs). */
  deliveryHook?: SqsDeliveryHook;
  /** Called when the set of task queues with a worker function changes (task queue → function name). */
  onChange(workerFunctions: Record<string, string>): void;
}

interface Hosted {
  fn: LocalFunction<unknown, unknown>;
  queues: TaskQueueQueues;
  /** The event source mappings while the function is attached; none while a Worker is stopped. */
  mappings: SqsMapping[];
  /** Started with the stack (not by `Worker.create`): never detached. */
  permanent: boolean;
}

/**
 * The worker functions of a local stack: one function per task queue, as in the cloud, fed by its
 * workflow and activity queues through two event source mappings. Workers given at start stay for
 * the stack's life; `attach` adds one to a running stack (what `Worker.create` on a local
 * environment's `nativeConnection` does): its queues are created from the same definitions, and
 * detaching stops the mappings (tasks wait in the queues, as for a Lambda whose mapping is
 * disabled) while the task queue stays known, so starts on it are still accepted.
 */
export class WorkerFunctions {
  private readonly hosted = new Map<string, Hosted>();
  private readonly names: Record<string, string> = {};

  constructor(private readonly options: WorkerFunctionsOptions) {}

  /** Hosts a worker given at start; its queues exist already. Its mappings start with `startAll`. */
  host(worker: LocalWorker): void {
    const queues = this.options.perTaskQueue.find((q) => q.taskQueue === worker.taskQueue)!;
    this.hosted.set(worker.taskQueue, {
      fn: this.functionFor(worker),
      queues,
      mappings: [],
      permanent: true,
    });
  }

  /** The task queue → function name map (`CAIRN_WORKER_FUNCTIONS`). */
  get workerFunctions(): Record<string, string> {
    return { ...this.names };
  }

  startAll(): void {
    for (const hosted of this.hosted.values()) this.startMappings(hosted);
  }

  /**
   * Serves `worker`'s task queue from now on; the returned function stops serving it. A task queue
   * has one worker function here, as in the cloud, so a second attached worker is refused.
   */
  async attach(worker: LocalWorker): Promise<() => Promise<void>> {
    const existing = this.hosted.get(worker.taskQueue);
    if (existing && (existing.permanent || existing.mappings.length)) {
      throw new Error(
        `Task queue '${worker.taskQueue}' already has a running worker on this local stack. Here, as on AWS, a task queue is served by one worker function: stop the other Worker first (worker.shutdown()), give this one its own task queue, or use the time-skipping environment, where several workers may share a queue.`,
      );
    }
    const handler = typeof worker === 'function' ? worker : createWorker(worker);
    const hosted = await this.register(handler);
    hosted.fn.replace(handler as (event: unknown) => Promise<unknown>, restartOf(worker));
    this.options.functions.set(hosted.fn.name, hosted.fn);
    this.startMappings(hosted);
    const attached = hosted;
    return async () => {
      const mappings = attached.mappings.splice(0);
      // Queries and updates reach no worker while it is stopped; the task queue stays known.
      this.options.functions.delete(attached.fn.name);
      await Promise.all(mappings.map((mapping) => mapping.stop({ graceful: true })));
    };
  }

  /**
   * Makes `worker`'s task queue known (its queues and function), without serving it yet: starts on
   * it are accepted from now on and their tasks wait in the queues until a worker is attached, as
   * a Temporal task queue takes work before a worker polls it. Nothing happens if it is known.
   */
  async register(worker: LocalWorker): Promise<Hosted> {
    const known = this.hosted.get(worker.taskQueue);
    if (known) return known;
    const { sqs, prefix, timeoutSeconds } = this.options;
    const queues = await createTaskQueueQueues(
      sqs,
      prefix,
      taskQueueQueues(worker.taskQueue, timeoutSeconds),
    );
    // Registered meanwhile by a concurrent call: keep the first.
    const raced = this.hosted.get(worker.taskQueue);
    if (raced) return raced;
    this.options.perTaskQueue.push(queues);
    const hosted: Hosted = { fn: this.functionFor(worker), queues, mappings: [], permanent: false };
    // Not invocable until attached: queries and updates reach no worker before one runs.
    this.options.functions.delete(hosted.fn.name);
    this.hosted.set(worker.taskQueue, hosted);
    this.options.onChange(this.workerFunctions);
    return hosted;
  }

  /** Swaps the handler of a hosted task queue's worker (a reloaded worker entry). */
  replace(handler: WorkerHandler): void {
    const hosted = this.hosted.get(handler.taskQueue);
    if (!hosted) throw new Error(`No worker serves task queue '${handler.taskQueue}' in this stack`);
    hosted.fn.replace(handler as (event: unknown) => Promise<unknown>);
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.hosted.values()].flatMap((hosted) => hosted.mappings.splice(0).map((m) => m.stop())),
    );
  }

  private functionFor(worker: LocalWorker): LocalFunction<unknown, unknown> {
    const name = `${this.options.prefix}-worker-${worker.taskQueue}`;
    this.names[worker.taskQueue] = name;
    const handler = typeof worker === 'function' ? worker : createWorker(worker);
    const fn = new LocalFunction(name, handler as (event: unknown) => Promise<unknown>, {
      timeoutMs: this.options.timeoutSeconds * 1000,
      concurrency: this.options.concurrency,
    });
    fn.onRestart(restartOf(worker));
    this.options.functions.set(name, fn);
    return fn;
  }

  private startMappings(hosted: Hosted): void {
    const { sqs, concurrency, deliveryHook } = this.options;
    const { workflow, activity } = hosted.queues;
    hosted.mappings = [
      new SqsMapping({
        sqs,
        queueUrl: workflow.url,
        queueArn: workflow.arn,
        fn: hosted.fn,
        batchSize: MAPPINGS.workflowTasks.batchSize,
        visibilityTimeoutSeconds: workflow.definition.visibilityTimeoutSeconds,
        // Lambda scales a FIFO queue's pollers with its active message groups (here: runs), up to
        // the function's concurrency; an eager chain keeps its run's group for the whole chain.
        pollers: concurrency,
        deliveryHook,
      }),
      new SqsMapping({
        sqs,
        queueUrl: activity.url,
        queueArn: activity.arn,
        fn: hosted.fn,
        batchSize: MAPPINGS.activityTasks.batchSize,
        visibilityTimeoutSeconds: activity.definition.visibilityTimeoutSeconds,
        // Lambda scales standard-queue pollers up to the function's concurrency.
        pollers: concurrency,
        deliveryHook,
      }),
    ];
    for (const mapping of hosted.mappings) mapping.start();
  }
}

/**
 * A fresh container's handler after a kill: a worker defined here is built again (empty workflow
 * cache, no locks or pending outcomes of the dead invocation); a handler given ready-made cannot be.
 */
function restartOf(worker: LocalWorker): (() => (event: unknown) => Promise<unknown>) | undefined {
  if (typeof worker === 'function') return undefined;
  return () => createWorker(worker) as (event: unknown) => Promise<unknown>;
}

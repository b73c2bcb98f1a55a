import { randomUUID } from 'node:crypto';
import { MemoryHistoryStore } from '../backend/memory/history-store.ts';
import { MemoryScheduleStore } from '../backend/memory/schedule-store.ts';
import { MemoryTaskQueues } from '../backend/memory/task-queues.ts';
import { VirtualClock } from '../backend/memory/virtual-clock.ts';
import type { WorkerInvoker, WorkerRequest, WorkflowTaskFailureCause } from '../backend/ports.ts';
import { UnknownTaskQueueError } from '../common/errors.ts';
import { jsonLogger, type Logger, type RuntimeDeps } from '../runtime/deps.ts';
import { deferToInstalled } from '../runtime/installed-logger.ts';
import { noMetrics } from '../runtime/metrics.ts';
import { routeBatches } from '../runtime/route.ts';
import { runRefOf } from '../runtime/run-ref.ts';
import type { WorkerRegistry } from '../runtime/worker-registry.ts';
import { handleWorkerRequest } from '../runtime/worker-requests.ts';
import { type Waiter, WorkflowService } from '../runtime/workflow-service.ts';
import { processWorkflowTask } from '../runtime/workflow-task.ts';
import { TaskRunner } from './task-runner.ts';
import { WorkerPool } from './worker-pool.ts';

/** Workflow-task failures that only a code change heals (the worker's code, fixed in a test). */
const FINAL_IN_PROCESS = new Set<WorkflowTaskFailureCause>([
  'WorkflowError',
  'NonDeterminism',
  'UnknownWorkflowType',
]);

/** Options of the in-memory engine. */
export interface MemoryEngineOptions {
  /** Virtual start time (epoch ms). @default now */
  startTime?: number;
  logger?: Logger;
  /** Tasks in flight at once. @default 64 */
  concurrency?: number;
}

/**
 * The whole engine in one process: memory store and queues, a virtual clock, the router wired to
 * the store's commits (the stream), and a task runner in place of the event source mappings.
 * The runtime services are the ones the Lambda handlers call.
 */
export class MemoryEngine {
  readonly store = new MemoryHistoryStore();
  readonly clock: VirtualClock;
  readonly queues: MemoryTaskQueues;
  /** The attached workers, several per task queue if need be. */
  readonly pool = new WorkerPool();
  readonly deps: RuntimeDeps;
  readonly runner: TaskRunner;
  readonly service: WorkflowService;

  constructor(options: MemoryEngineOptions = {}) {
    this.clock = new VirtualClock(options.startTime ?? Date.now());
    this.queues = new MemoryTaskQueues(() => this.clock.now());
    const invoker: WorkerInvoker = {
      invoke: async (taskQueue: string, request: WorkerRequest) => {
        const worker = await this.pool.forTask(this.store, { taskQueue, ref: request.ref });
        if (!worker) {
          throw new UnknownTaskQueueError(taskQueue, this.pool.taskQueues());
        }
        return handleWorkerRequest(this.deps, worker, request);
      },
    };
    this.deps = {
      store: this.store,
      schedules: new MemoryScheduleStore(),
      dispatch: this.queues,
      clock: this.clock,
      invoker,
      newId: randomUUID,
      // `Runtime.install({ logger })` (Temporal's way) wins over the default; an explicit option over both.
      logger:
        options.logger ??
        deferToInstalled(jsonLogger((process.env.CAIRN_LOG_LEVEL as 'info' | undefined) ?? 'error')),
      // Time-skipping runs report nothing: CloudWatch metrics belong to a deployed engine.
      metrics: noMetrics,
    };
    this.runner = new TaskRunner(this.deps, this.queues, this.clock, this.pool, options.concurrency);
    // The history stream: every committed batch goes through the router, as in the cloud. A commit
    // is a change for whoever waits on a run too (a terminate, say, commits without any task).
    this.store.onCommit((batch) => {
      void routeBatches(this.deps, [batch]);
      this.runner.notify();
    });
    const waiter: Waiter = (done, waitMs) =>
      this.runner.withTimeSkipping(async () => {
        const deadline = Date.now() + waitMs;
        while (!(await done())) {
          const left = deadline - Date.now();
          if (left <= 0) return;
          await this.runner.nextChange(left);
        }
      });
    this.service = new WorkflowService(this.deps, {
      waiter,
      // Time does not skip for a failing task's retries, so a waiting result tries the task once
      // more with the code as it is now (a test may have fixed it): failing again, it never heals,
      // and the result says so (WorkflowTaskFailedError) instead of waiting for ever.
      confirmFinalTaskFailure: async (state, failure) => {
        const worker = this.pool.forWorkflowType(state.taskQueue, state.workflowType);
        if (!worker || !FINAL_IN_PROCESS.has(failure.cause)) return false;
        const ref = runRefOf(state);
        const retried = await processWorkflowTask(this.deps, worker, ref).catch(() => undefined);
        return retried?.outcome === 'failed';
      },
      failurePollMs: 0,
    });
    this.runner.start();
  }

  /** The first worker of each task queue. */
  get workers(): Map<string, WorkerRegistry> {
    return this.pool.primaries();
  }

  /**
   * Adds a worker; returns a function that removes it. Several workers may serve one task queue,
   * as in Temporal: each task goes to one that registers its type.
   */
  addWorker(registry: WorkerRegistry): () => void {
    const remove = this.pool.add(registry);
    this.runner.notify();
    return remove;
  }

  async shutdown(): Promise<void> {
    await this.runner.stop();
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';
import type { MemoryTaskQueues } from '../backend/memory/task-queues.ts';
import type { VirtualClock } from '../backend/memory/virtual-clock.ts';
import type { Task } from '../backend/ports.ts';
import { processActivityTask } from '../runtime/activity-task.ts';
import type { RuntimeDeps } from '../runtime/deps.ts';
import { EagerChain } from '../runtime/eager-chain.ts';
import { processSystemTask } from '../runtime/system-task.ts';
import { processWorkflowTask } from '../runtime/workflow-task.ts';
import type { WorkerPool } from './worker-pool.ts';

/** A task that kept failing and was set aside, as an SQS queue moves it to its DLQ. */
export interface DeadLetter {
  task: Task;
  error: string;
  receiveCount: number;
}

const MAX_RECEIVE_COUNT = 5;

/** The task whose code is running here (an activity that calls the environment, say). */
const runningTask = new AsyncLocalStorage<Task>();

/**
 * Whether a delayed task lets time skip to its due time while a client waits. A workflow task's
 * retry does not: a failing task would otherwise be retried in a tight loop while the clock runs
 * away (months of virtual time in seconds, every timer of every other run firing on the way). It
 * runs when time gets there for another reason (a timer, `env.sleep`).
 */
export function skipsTimeFor(task: Task): boolean {
  return !isWorkflowTaskRetry(task);
}

/** A workflow task's retry after a failure (the first attempt of a task is never delayed). */
export function isWorkflowTaskRetry(task: Task): boolean {
  return task.kind === 'workflow' && (task.attempt ?? 1) > 1;
}

/**
 * Consumes the in-memory task queues with the real runtime services, as the Lambda event source
 * mappings do in the cloud: at most `concurrency` tasks in flight, one workflow task per run at a
 * time (the FIFO message group), failed tasks redelivered with backoff and dead-lettered after
 * five receives. Time skipping: when nothing can run and someone waits (a result, `env.sleep`),
 * the virtual clock jumps to the next due timer.
 */
export class TaskRunner {
  private inFlight = 0;
  private readonly runsInFlight = new Set<string>();
  private readonly receives = new Map<string, number>();
  private skipDemand = 0;
  /**
   * Tasks in flight that wait on the environment itself (an activity calling `env.sleep`, or
   * awaiting a result through `env.client`): they cannot move until time does, so they count as
   * idle, as an activity's own `sleep` does.
   */
  private tasksWaitingOnEnv = 0;
  private readonly sleepTargets: { time: number; resolve(): void }[] = [];
  private wake: (() => void) | undefined;
  /** Set by every notification, so one that lands while the loop is busy is not lost. */
  private dirty = false;
  private readonly changeWaiters = new Set<() => void>();
  private stopped = false;
  private loopDone: Promise<void> | undefined;
  readonly deadLetters: DeadLetter[] = [];
  tasksRun = 0;

  constructor(
    private readonly deps: RuntimeDeps,
    private readonly queues: MemoryTaskQueues,
    private readonly clock: VirtualClock,
    private readonly workers: WorkerPool,
    private readonly concurrency = 64,
  ) {
    queues.onChange(() => this.notify());
    clock.onChange(() => this.notify());
  }

  start(): void {
    this.loopDone ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.notify();
    await this.loopDone;
  }

  /** Wakes the loop and everyone waiting for a change. */
  notify(): void {
    this.dirty = true;
    this.wake?.();
    for (const waiter of [...this.changeWaiters]) waiter();
  }

  /** Resolves on the next change, or after `timeoutMs` of real time. */
  nextChange(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(1, timeoutMs));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.changeWaiters.add(() => {
        this.changeWaiters.clear();
        done();
      });
    });
  }

  /** Lets time skip while `fn` runs (a client waiting for a result). */
  async withTimeSkipping<T>(fn: () => Promise<T>): Promise<T> {
    this.skipDemand++;
    const fromTask = this.enterEnvWait();
    this.notify();
    try {
      return await fn();
    } finally {
      this.skipDemand--;
      if (fromTask) this.tasksWaitingOnEnv--;
    }
  }

  /** Advances virtual time by `ms`, running everything that becomes due on the way. */
  async sleep(ms: number): Promise<void> {
    const fromTask = this.enterEnvWait();
    try {
      await new Promise<void>((resolve) => {
        this.sleepTargets.push({ time: this.clock.now() + ms, resolve });
        this.sleepTargets.sort((a, b) => a.time - b.time);
        this.notify();
      });
    } finally {
      if (fromTask) this.tasksWaitingOnEnv--;
    }
  }

  /** Counts a wait that a running task makes on the environment; true if it is one. */
  private enterEnvWait(): boolean {
    if (runningTask.getStore() === undefined) return false;
    this.tasksWaitingOnEnv++;
    return true;
  }

  private canRun = (task: Task): boolean => {
    if (task.kind === 'system') return true;
    if (!this.workers.has(task.taskQueue)) return false;
    // A task sent beside an eager chain has its own message group: the run's does not hold it.
    if (task.kind !== 'workflow' || task.besideEager) return true;
    return !this.runsInFlight.has(`${task.ref.namespace}/${task.ref.runId}`);
  };

  private isIdle(): boolean {
    return (
      this.inFlight <= this.clock.idleSleepers + this.tasksWaitingOnEnv &&
      !this.queues.hasRunnable(this.canRun)
    );
  }

  private nextSkipTarget(): number | undefined {
    const sleepTarget = this.sleepTargets[0]?.time;
    // `env.sleep` passes through everything due on the way, retries too, in order; a waiting
    // client alone never skips to a retry.
    const counted = sleepTarget !== undefined ? undefined : skipsTimeFor;
    const dueTimes = [this.queues.nextDue(counted), this.clock.nextDue()].filter(
      (t): t is number => t !== undefined,
    );
    const due = dueTimes.length ? Math.min(...dueTimes) : undefined;
    if (sleepTarget !== undefined && (due === undefined || sleepTarget < due)) return sleepTarget;
    if (due !== undefined && (this.skipDemand > 0 || sleepTarget !== undefined)) return due;
    return undefined;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.dirty = false;
      const room = this.concurrency - this.inFlight;
      if (room > 0) for (const task of this.queues.take(this.canRun, room)) this.run(task);
      if (this.isIdle()) {
        // Let in-progress client calls (microtasks, then one macrotask) land before judging idleness.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.isIdle() && this.skipTime()) continue;
      }
      if (this.dirty) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }

  /** Jumps to the next due time if someone waits for time to pass; true if it moved. */
  private skipTime(): boolean {
    const target = this.nextSkipTarget();
    if (target === undefined) return false;
    this.clock.advanceTo(target);
    this.queues.release();
    while (this.sleepTargets.length && this.sleepTargets[0]!.time <= this.clock.now())
      this.sleepTargets.shift()!.resolve();
    return true;
  }

  private run(task: Task): void {
    const runKey = `${task.ref.namespace}/${task.ref.runId}`;
    this.inFlight++;
    const holdsRun = task.kind === 'workflow' && !task.besideEager;
    if (holdsRun) this.runsInFlight.add(runKey);
    runningTask
      .run(task, () => this.execute(task))
      .catch((error: unknown) => this.redeliver(task, error))
      .finally(() => {
        this.inFlight--;
        this.tasksRun++;
        if (holdsRun) this.runsInFlight.delete(runKey);
        this.notify();
      });
  }

  private async execute(task: Task): Promise<void> {
    if (task.kind === 'system') {
      await processSystemTask(this.deps, task.ref, task.op);
      return;
    }
    const worker = await this.workerFor(
      task.kind === 'activity' ? { ...task, scheduledEventId: task.scheduledEventId } : task,
    );
    // Eager execution as a Lambda worker does it, in an invocation that never times out (nothing
    // here dies, so no claim is ever orphaned); each eager attempt counts as a task in flight.
    const chain = new EagerChain(this.deps, worker, Number.MAX_SAFE_INTEGER, {
      attemptStarted: () => {
        this.inFlight++;
      },
      attemptEnded: () => {
        this.inFlight--;
        this.notify();
      },
    });
    try {
      if (task.kind === 'workflow') await processWorkflowTask(this.deps, worker, task.ref, { eager: chain });
      else await processActivityTask(this.deps, worker, task, chain);
    } catch (error) {
      await this.settle(chain).catch(() => undefined);
      throw error;
    }
    await this.settle(chain);
  }

  /** Waits for a task's eager attempts: they count as in flight, the task waiting on them does not. */
  private async settle(chain: EagerChain): Promise<void> {
    this.inFlight--;
    this.notify();
    try {
      await chain.settled();
    } finally {
      this.inFlight++;
    }
  }

  private async workerFor(target: Parameters<WorkerPool['forTask']>[1]) {
    const worker = await this.workers.forTask(this.deps.store, target);
    // Taken only while its queue had a worker; one that left since fails the task (redelivered).
    if (!worker) throw new Error(`No worker serves task queue '${target.taskQueue}' any more`);
    return worker;
  }

  private redeliver(task: Task, error: unknown): void {
    const key = JSON.stringify(task);
    const count = (this.receives.get(key) ?? 0) + 1;
    this.receives.set(key, count);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.deps.logger('warn', 'task failed; will be redelivered', {
      kind: task.kind,
      runId: task.ref.runId,
      count,
      message,
    });
    if (count >= MAX_RECEIVE_COUNT) {
      this.deadLetters.push({ task, error: message, receiveCount: count });
      return;
    }
    this.queues.push([{ task, dueTime: this.clock.now() + 1000 * 2 ** (count - 1) }]);
  }
}

import type { HistoryStore, RunRef } from '../backend/ports.ts';
import type { WorkerRegistry } from '../runtime/worker-registry.ts';

/** What a task needs from a worker: the run it belongs to, and the activity it runs (if one). */
export interface TaskTarget {
  taskQueue: string;
  ref: RunRef;
  /** The scheduling event of an activity task. */
  scheduledEventId?: number;
}

/**
 * The in-process workers of the time-skipping engine, several per task queue as Temporal allows
 * (e.g. one worker with the workflows and another with the activities, or two alike). A task goes
 * to a worker that registers its workflow or activity type, taking turns among them; a run's
 * workflow tasks stay on the worker that ran the last one while it can (its cache is warm there).
 */
export class WorkerPool {
  private readonly byQueue = new Map<string, WorkerRegistry[]>();
  private readonly turn = new Map<string, number>();
  private readonly sticky = new Map<string, WorkerRegistry>();

  /** Adds a worker; returns a function that removes it. */
  add(registry: WorkerRegistry): () => void {
    const list = this.byQueue.get(registry.taskQueue) ?? [];
    list.push(registry);
    this.byQueue.set(registry.taskQueue, list);
    return () => {
      const current = this.byQueue.get(registry.taskQueue) ?? [];
      const left = current.filter((worker) => worker !== registry);
      if (left.length) this.byQueue.set(registry.taskQueue, left);
      else this.byQueue.delete(registry.taskQueue);
      for (const [run, worker] of this.sticky) if (worker === registry) this.sticky.delete(run);
    };
  }

  has(taskQueue: string): boolean {
    return this.byQueue.has(taskQueue);
  }

  taskQueues(): string[] {
    return [...this.byQueue.keys()];
  }

  /** The first worker of each task queue (the one tests reach with `env.engine.workers.get(queue)`). */
  primaries(): Map<string, WorkerRegistry> {
    return new Map([...this.byQueue].map(([queue, list]) => [queue, list[0]!]));
  }

  /** A worker of `taskQueue` that registers `workflowType`, if any (else the queue's first). */
  forWorkflowType(taskQueue: string, workflowType: string): WorkerRegistry | undefined {
    const list = this.byQueue.get(taskQueue) ?? [];
    return list.find((worker) => worker.workflows.has(workflowType)) ?? list[0];
  }

  /** The worker that takes a task, or undefined when its task queue has none. */
  async forTask(store: HistoryStore, target: TaskTarget): Promise<WorkerRegistry | undefined> {
    const list = this.byQueue.get(target.taskQueue);
    if (!list?.length) return undefined;
    if (list.length === 1) return list[0];
    const state = await store.getRun(target.ref.namespace, target.ref.runId);
    const runKey = `${target.ref.namespace}/${target.ref.runId}`;
    if (target.scheduledEventId === undefined) {
      const type = state?.workflowType;
      const stuck = this.sticky.get(runKey);
      if (stuck && list.includes(stuck) && type !== undefined && stuck.workflows.has(type)) return stuck;
      const chosen = this.nextOf(
        target.taskQueue,
        list,
        (worker) => type !== undefined && worker.workflows.has(type),
      );
      this.sticky.set(runKey, chosen);
      return chosen;
    }
    const activityType = state?.activities[target.scheduledEventId]?.activityType;
    return this.nextOf(
      target.taskQueue,
      list,
      (worker) => activityType !== undefined && worker.activities.has(activityType),
    );
  }

  /** Takes turns among the workers that qualify (among all, when none does). */
  private nextOf(
    taskQueue: string,
    list: WorkerRegistry[],
    qualifies: (worker: WorkerRegistry) => boolean,
  ): WorkerRegistry {
    const candidates = list.filter(qualifies);
    const pool = candidates.length ? candidates : list;
    const turn = this.turn.get(taskQueue) ?? 0;
    this.turn.set(taskQueue, turn + 1);
    return pool[turn % pool.length]!;
  }
}

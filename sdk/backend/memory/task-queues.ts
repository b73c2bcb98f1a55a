import type { DispatchItem, Task, TaskDispatch } from '../ports.ts';

interface Queued {
  task: Task;
  due: number;
}

/**
 * Task queues in memory: a ready list in arrival order and a delayed list by due time, as SQS
 * queues with message delays would hold them. Consumers take what they can run.
 */
export class MemoryTaskQueues implements TaskDispatch {
  private ready: Queued[] = [];
  private delayed: Queued[] = [];
  private readonly listeners = new Set<() => void>();
  /** Messages sent, for benchmarks. */
  sent = 0;

  constructor(private readonly now: () => number) {}

  async dispatch(items: DispatchItem[]): Promise<void> {
    this.push(items);
  }

  /** Enqueues synchronously (the store's commit listener calls this inside the write). */
  push(items: DispatchItem[]): void {
    const now = this.now();
    for (const { task, dueTime } of items) {
      this.sent++;
      const queued = { task, due: dueTime ?? now };
      if (queued.due <= now) this.ready.push(queued);
      else this.insertDelayed(queued);
    }
    if (items.length) this.notify();
  }

  private insertDelayed(queued: Queued): void {
    let low = 0;
    let high = this.delayed.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.delayed[mid]!.due <= queued.due) low = mid + 1;
      else high = mid;
    }
    this.delayed.splice(low, 0, queued);
  }

  /** Moves delayed tasks that are now due to the ready list. */
  release(): void {
    const now = this.now();
    let count = 0;
    while (count < this.delayed.length && this.delayed[count]!.due <= now) count++;
    if (count) this.ready.push(...this.delayed.splice(0, count));
  }

  /** Removes and returns the ready tasks `canRun` accepts, at most `limit`. */
  take(canRun: (task: Task) => boolean, limit: number): Task[] {
    this.release();
    const taken: Task[] = [];
    const kept: Queued[] = [];
    for (const queued of this.ready) {
      if (taken.length < limit && canRun(queued.task)) taken.push(queued.task);
      else kept.push(queued);
    }
    this.ready = kept;
    return taken;
  }

  /** True when some ready task would be accepted by `canRun`. */
  hasRunnable(canRun: (task: Task) => boolean): boolean {
    this.release();
    return this.ready.some((queued) => canRun(queued.task));
  }

  /** The earliest due time of a delayed task, of those `counts` accepts (all by default). */
  nextDue(counts: (task: Task) => boolean = () => true): number | undefined {
    return this.delayed.find((queued) => counts(queued.task))?.due;
  }

  /** Tasks waiting (ready or delayed) that `matches` accepts. */
  count(matches: (task: Task) => boolean): number {
    let n = 0;
    for (const queued of this.ready) if (matches(queued.task)) n++;
    for (const queued of this.delayed) if (matches(queued.task)) n++;
    return n;
  }

  get size(): number {
    return this.ready.length + this.delayed.length;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

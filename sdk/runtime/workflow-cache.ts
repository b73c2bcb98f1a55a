import type { Replayer } from '../engine/replayer.ts';

/**
 * Warm workflow states of one worker, keyed by run. A cached replayer has applied history up to
 * its `lastEventId`; the next task feeds it only newer events, so replay cost per task stays flat
 * over a run's life. Any mismatch (a gap, an error) evicts the entry and the next task replays
 * from the start. Work on one run is serialized here, so a query never races a workflow task.
 */
export class WorkflowCache {
  private readonly entries = new Map<string, Replayer>();
  private readonly locks = new Map<string, Promise<unknown>>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity: number) {}

  get(key: string): Replayer | undefined {
    const replayer = this.entries.get(key);
    if (replayer) {
      // Refresh recency: Map keeps insertion order, so re-insert.
      this.entries.delete(key);
      this.entries.set(key, replayer);
      this.hits++;
    } else this.misses++;
    return replayer;
  }

  /** Whether the run's state is warm here (without counting a hit or a miss). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  set(key: string, replayer: Replayer): void {
    this.entries.delete(key);
    this.entries.set(key, replayer);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether work on the run holds its turn in this process now ({@link exclusive}). */
  busy(key: string): boolean {
    return this.locks.has(key);
  }

  /** Runs `fn` after any earlier work on the same run in this process has finished. */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => {});
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}

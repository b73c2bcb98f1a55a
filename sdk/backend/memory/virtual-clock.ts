import type { Clock } from '../ports.ts';

interface Sleeper {
  due: number;
  idle: boolean;
  resolve(): void;
}

/**
 * A clock that moves only when told to. Sleepers wake in due order as time is advanced; `idle`
 * sleepers (activities waiting on the clock) let a time-skipping driver move on, watchdogs don't.
 */
export class VirtualClock implements Clock {
  private time: number;
  private readonly sleepers = new Set<Sleeper>();
  private readonly listeners = new Set<() => void>();

  constructor(start: number) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, options: { signal?: AbortSignal; idle?: boolean } = {}): Promise<void> {
    const { signal, idle = false } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        due: this.time + Math.max(0, ms),
        idle,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        this.notify();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
      this.notify();
    });
  }

  /** Sleepers whose wait lets time move on. */
  get idleSleepers(): number {
    let count = 0;
    for (const sleeper of this.sleepers) if (sleeper.idle) count++;
    return count;
  }

  /** The earliest time a sleeper is due, if any. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const sleeper of this.sleepers) if (next === undefined || sleeper.due < next) next = sleeper.due;
    return next;
  }

  /** Moves time forward (never back) and wakes every sleeper now due, earliest first. */
  advanceTo(time: number): void {
    if (time > this.time) this.time = time;
    const due = [...this.sleepers]
      .filter((sleeper) => sleeper.due <= this.time)
      .sort((a, b) => a.due - b.due);
    for (const sleeper of due) {
      this.sleepers.delete(sleeper);
      sleeper.resolve();
    }
    this.notify();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

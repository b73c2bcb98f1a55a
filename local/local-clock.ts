import type { Clock } from '../sdk/backend/ports.ts';
import { MAX_TIMER_MS } from '../sdk/backend/system-clock.ts';
import { InvalidArgumentError } from '../sdk/common/errors.ts';

/** How the local stack's handlers read time (`LocalStackOptions.clock`). */
export type LocalClockMode = 'system' | 'manual';

interface Sleeper {
  due: number;
  timer?: NodeJS.Timeout;
  wake(): void;
}

/** `advance` on a stack whose clock is the system's. */
export class ClockNotAdjustableError extends Error {
  override readonly name = 'ClockNotAdjustableError';
}

/**
 * The local stack's clock: the system time plus an offset that only `advance` moves. Time keeps
 * running as it does for real (SQS delays and visibility timeouts pass in real time in the
 * emulator), and a test jumps it forward, so a wait due in 30 days is due in a minute once the clock
 * is advanced by 30 days less a minute. Sleepers (an activity's timeout watchdog, its heartbeat
 * timer) wake by this clock: advancing past their due time wakes them at once.
 *
 * @example
 * const clock = new LocalClock('manual');
 * clock.advance(30 * 86_400_000); // 30 days later, for every handler that reads this clock
 */
export class LocalClock implements Clock {
  private offset = 0;
  private readonly sleepers = new Set<Sleeper>();

  constructor(readonly mode: LocalClockMode) {
    if (mode !== 'system' && mode !== 'manual') {
      throw new InvalidArgumentError(`clock must be 'system' or 'manual', got ${JSON.stringify(mode)}`);
    }
  }

  now(): number {
    return Date.now() + this.offset;
  }

  /** How far this clock is ahead of the system's, in ms. */
  get offsetMs(): number {
    return this.offset;
  }

  sleep(ms: number, options: { signal?: AbortSignal; idle?: boolean } = {}): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        due: this.now() + Math.max(0, ms),
        wake: () => {
          clearTimeout(sleeper.timer);
          this.sleepers.delete(sleeper);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        clearTimeout(sleeper.timer);
        this.sleepers.delete(sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
      this.arm(sleeper);
    });
  }

  /**
   * Moves the clock `ms` forward (never back) for every handler of the stack, and wakes the
   * sleepers now due. Refused on a stack started with the system clock.
   */
  advance(ms: number): void {
    if (this.mode !== 'manual') {
      throw new ClockNotAdjustableError(
        "This local stack runs on the system clock; start it with clock: 'manual' to advance time",
      );
    }
    if (!Number.isFinite(ms) || ms < 0) {
      throw new InvalidArgumentError(`advance takes a non-negative number of milliseconds, got ${ms}`);
    }
    this.offset += ms;
    for (const sleeper of [...this.sleepers]) this.arm(sleeper);
  }

  /** (Re)sets a sleeper's real timer to the real time left until it is due by this clock. */
  private arm(sleeper: Sleeper): void {
    clearTimeout(sleeper.timer);
    const left = sleeper.due - this.now();
    if (left <= 0) {
      sleeper.wake();
      return;
    }
    sleeper.timer = setTimeout(() => this.arm(sleeper), Math.min(left, MAX_TIMER_MS));
  }
}

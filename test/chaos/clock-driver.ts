import type { LocalStack } from '../../local/stack.ts';

/**
 * Moves the local stack's manual clock for the chaos run's long timers: while some workflow waits
 * on one (its timer is committed), the clock jumps `jumpMs` ahead — at most once per `everyMs`, as
 * each jump also times out every activity attempt running at that moment — and the sweeper runs at
 * once, so that what came due goes through the due-time index and the sweeper as in the cloud.
 */
export class ClockDriver {
  jumps = 0;
  private waiting = 0;
  private lastJump = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly stack: LocalStack,
    private readonly jumpMs: number,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), 500);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A workflow waits on a long timer from now on; the returned function says it no longer does. */
  waitingOnLongTimer(): () => void {
    this.waiting++;
    let done = false;
    return () => {
      if (!done) this.waiting--;
      done = true;
    };
  }

  private async tick(): Promise<void> {
    if (this.busy || this.waiting === 0 || Date.now() - this.lastJump < this.everyMs) return;
    this.busy = true;
    try {
      this.stack.clock.advance(this.jumpMs);
      this.jumps++;
      this.lastJump = Date.now();
      await this.stack.sweep().catch(() => undefined);
    } finally {
      this.busy = false;
    }
  }
}

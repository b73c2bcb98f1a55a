// The local stack's manual clock: real time plus an offset that only advance moves.
import { describe, expect, it } from 'vitest';
import { ClockNotAdjustableError, LocalClock } from '../../local/local-clock.ts';
import { InvalidArgumentError } from '../../sdk/common/errors.ts';

const DAY = 86_400_000;

describe('LocalClock', () => {
  it('runs with real time and jumps ahead by what advance adds', () => {
    const clock = new LocalClock('manual');
    const before = Date.now();
    clock.advance(30 * DAY);
    const now = clock.now();
    expect(now).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(now).toBeLessThan(Date.now() + 30 * DAY + 1_000);
    expect(clock.offsetMs).toBe(30 * DAY);
  });

  it('wakes a sleeper as soon as the clock is advanced past its due time', async () => {
    const clock = new LocalClock('manual');
    let woke = false;
    const slept = clock.sleep(DAY).then(() => {
      woke = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(woke).toBe(false);
    clock.advance(DAY - 60_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(woke).toBe(false);
    clock.advance(60_000);
    await slept;
    expect(woke).toBe(true);
  });

  it('keeps a sleeper due later than setTimeout can time (30 days) asleep until advanced', async () => {
    const clock = new LocalClock('manual');
    let woke = false;
    const slept = clock.sleep(30 * DAY).then(() => {
      woke = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(woke).toBe(false);
    clock.advance(30 * DAY);
    await slept;
    expect(woke).toBe(true);
  });

  it('wakes a short sleeper in real time, and rejects an aborted one with its reason', async () => {
    const clock = new LocalClock('manual');
    await clock.sleep(10);
    const abort = new AbortController();
    const sleeping = clock.sleep(DAY, { signal: abort.signal });
    abort.abort(new Error('stopped'));
    await expect(sleeping).rejects.toThrow('stopped');
    clock.advance(2 * DAY); // the aborted sleeper is gone: nothing to wake
  });

  it('refuses to advance the system clock, a negative or non-finite step, and an unknown mode', () => {
    expect(() => new LocalClock('system').advance(1_000)).toThrow(ClockNotAdjustableError);
    expect(() => new LocalClock('system').advance(1_000)).toThrow(/clock: 'manual'/);
    const clock = new LocalClock('manual');
    expect(() => clock.advance(-1)).toThrow(InvalidArgumentError);
    expect(() => clock.advance(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError);
    expect(() => new LocalClock('virtual' as never)).toThrow(/'system' or 'manual'/);
  });
});

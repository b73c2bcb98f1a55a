// Heartbeats are recorded at most once per interval, the latest details winning, the last always.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sdk/backend/memory/virtual-clock.ts';
import { HeartbeatThrottle, heartbeatThrottleMs } from '../../sdk/runtime/activity-heartbeat.ts';

/** Lets the promise callbacks scheduled by a clock advance run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function throttled(intervalMs: number) {
  const clock = new VirtualClock(0);
  const sent: { at: number; details: unknown }[] = [];
  const throttle = new HeartbeatThrottle(intervalMs, clock, async (details) => {
    sent.push({ at: clock.now(), details });
  });
  return { clock, sent, throttle };
}

describe('heartbeat throttling', () => {
  it('throttles at 0.8 × the heartbeat timeout, at most 30 s', () => {
    expect(heartbeatThrottleMs(10_000)).toBe(8_000);
    expect(heartbeatThrottleMs(120_000)).toBe(30_000);
    expect(heartbeatThrottleMs(undefined)).toBe(30_000);
  });

  it('records the first heartbeat at once and the latest of a burst at the end of the interval', async () => {
    const { clock, sent, throttle } = throttled(1_000);
    for (let i = 1; i <= 100; i++) throttle.heartbeat(i);
    await settle();
    expect(sent).toEqual([{ at: 0, details: 1 }]);
    clock.advanceTo(999);
    await settle();
    expect(sent).toHaveLength(1);
    clock.advanceTo(1_000);
    await settle();
    expect(sent).toEqual([
      { at: 0, details: 1 },
      { at: 1_000, details: 100 },
    ]);
  });

  it('records a heartbeat at once when the interval has passed since the last one', async () => {
    const { clock, sent, throttle } = throttled(1_000);
    throttle.heartbeat('a');
    clock.advanceTo(5_000);
    throttle.heartbeat('b');
    await settle();
    expect(sent.map((each) => each.details)).toEqual(['a', 'b']);
  });

  it('delivers the last heartbeat when the attempt ends, before the interval is over', async () => {
    const { sent, throttle } = throttled(30_000);
    throttle.heartbeat('first');
    throttle.heartbeat('second');
    throttle.heartbeat('last');
    await throttle.close();
    expect(sent.map((each) => each.details)).toEqual(['first', 'last']);
  });

  it('records nothing more at close when nothing is waiting', async () => {
    const { sent, throttle } = throttled(1_000);
    throttle.heartbeat('only');
    await throttle.close();
    expect(sent.map((each) => each.details)).toEqual(['only']);
  });
});

// The real clock's sleep, as the Lambda handlers use it (activity watchdogs, heartbeat timers).
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../sdk/backend/system-clock.ts';

const DAY = 86_400_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('systemClock.sleep', () => {
  it('resolves after the time asked', async () => {
    const start = Date.now();
    await systemClock.sleep(30);
    expect(Date.now() - start).toBeGreaterThanOrEqual(29);
  });

  it('keeps a sleep longer than setTimeout can time (30 days) waiting, instead of firing after 1 ms', async () => {
    const abort = new AbortController();
    let settled = false;
    const sleeping = systemClock.sleep(30 * DAY, { signal: abort.signal }).then(
      () => {
        settled = true;
      },
      () => undefined,
    );
    await pause(50);
    expect(settled).toBe(false);
    abort.abort(new Error('done waiting'));
    await sleeping;
    expect(settled).toBe(false);
  });

  it('rejects with the signal reason when aborted, before or during the sleep', async () => {
    const before = new AbortController();
    before.abort(new Error('already'));
    await expect(systemClock.sleep(10, { signal: before.signal })).rejects.toThrow('already');
    const during = new AbortController();
    const sleeping = systemClock.sleep(DAY, { signal: during.signal });
    during.abort(new Error('stopped'));
    await expect(sleeping).rejects.toThrow('stopped');
  });
});

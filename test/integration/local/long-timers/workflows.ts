// Workflows for the long-timer tests: waits far beyond SQS's 15-minute delay, on a manual clock.
import { condition, proxyActivities, sleep } from 'cairnflow/workflow';

export interface LongTimerActivities {
  failsOnce(key: string): Promise<string>;
}

const acts = proxyActivities<LongTimerActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '2 hours', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** Sleeps `duration`, then reports how long the workflow's own clock says it slept. */
export async function sleeper(duration: string): Promise<number> {
  const start = Date.now();
  await sleep(duration);
  return Date.now() - start;
}

/** Calls an activity that fails its first attempt; the retry waits out a 2-hour backoff. */
export async function retriedAfterBackoff(key: string): Promise<string> {
  return acts.failsOnce(key);
}

/** Waits for a condition that never holds: only a timeout ends it. */
export async function waitsForever(): Promise<void> {
  await condition(() => false);
}

/** Starts `count` timers at once, the i-th due at `dueAt + i × stepMs` (epoch ms), and waits for them all. */
export async function manyTimers(count: number, dueAt: number, stepMs = 0): Promise<number> {
  let fired = 0;
  const now = Date.now();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      await sleep(dueAt + i * stepMs - now);
      fired++;
    }),
  );
  return fired;
}

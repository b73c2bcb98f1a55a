import * as wf from 'cairnflow/workflow';
import type * as activities from './local-activities.ts';

const quick = wf.proxyLocalActivities<typeof activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
});

/** Local activities in a loop, then a signal, then more: every call runs once, whatever replays. */
export const proceed = wf.defineSignal('proceed');
export async function countLocally(key: string, times: number): Promise<number> {
  let value = 0;
  for (let i = 0; i < times; i++) value = await quick.addOne(key, value);
  let go = false;
  wf.setHandler(proceed, () => {
    go = true;
  });
  await wf.condition(() => go);
  return quick.addOne(key, value);
}

/** Retried in place (each retry due within the local retry threshold). */
export async function retryLocally(key: string): Promise<number> {
  return quick.flaky(key, 2);
}

/** Retries further off than localRetryThreshold: each waits on a durable timer. */
export async function retryThroughTimers(key: string, initialIntervalMs = 30_000): Promise<number> {
  const patient = wf.proxyLocalActivities<typeof activities>({
    startToCloseTimeout: '10 seconds',
    localRetryThreshold: initialIntervalMs / 2,
    retry: { initialInterval: initialIntervalMs, maximumAttempts: 5 },
  });
  return patient.flaky(key, 2);
}

/** A non-retryable failure and a timeout reach the workflow as ActivityFailure. */
export async function failLocally(key: string): Promise<string[]> {
  const once = wf.proxyLocalActivities<typeof activities>({
    startToCloseTimeout: '5 seconds',
    retry: { maximumAttempts: 1 },
  });
  const seen: string[] = [];
  for (const call of [() => once.refuse(key), () => once.dawdle(key)]) {
    try {
      await call();
    } catch (error) {
      if (!(error instanceof wf.ActivityFailure)) throw error;
      seen.push(`${error.cause?.name}: ${error.cause?.message}`);
    }
  }
  return seen;
}

/** What a local activity knows about itself. */
export async function localInfo() {
  return quick.describeSelf();
}

/** A local activity and an ordinary one side by side, awaited together. */
const remote = wf.proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });
export async function mixLocalAndRemote(key: string): Promise<number[]> {
  return Promise.all([quick.addOne(`${key}-local`, 1), remote.addOne(`${key}-remote`, 10)]);
}

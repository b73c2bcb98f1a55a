// The chaos run's workflows (test/chaos/run.ts): each one's result follows from its input alone, so
// the run can check it whatever faults hit the way (see test/chaos/workload.ts, `expectedResult`).
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  defineUpdate,
  executeChild,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from 'cairnflow/workflow';
import type { ChaosActivities } from './activities.ts';

/**
 * Activities retry without limit (a crash or a lost message costs an attempt, and the run's checks
 * are about results), quickly, so that a crashed attempt is retried within the run.
 */
const retry = { initialInterval: '100ms', backoffCoefficient: 2, maximumInterval: '1s', maximumAttempts: 0 };
const acts = proxyActivities<ChaosActivities>({ startToCloseTimeout: '10s', retry });
const beating = proxyActivities<ChaosActivities>({
  startToCloseTimeout: '30s',
  heartbeatTimeout: '3s',
  retry,
});

export const add = defineSignal<[value: number]>('add');
export const finish = defineSignal('finish');
export const deposit = defineUpdate<number, [value: number]>('deposit');

/** An activity that fails its first `failures` attempts. */
export async function retried(value: number, failures: number): Promise<number> {
  return acts.flaky(value, failures);
}

/** An activity that heartbeats `steps` times, resuming from its last heartbeat when retried. */
export async function heartbeats(steps: number): Promise<number> {
  return beating.beat(steps);
}

/** Durable timers one after another, then an activity. */
export async function timers(delaysMs: number[], value: number): Promise<number> {
  for (const ms of delaysMs) await sleep(ms);
  return (await acts.square(value)) + delaysMs.length;
}

/** Sums the values of `count` signals. */
export async function signals(count: number): Promise<number> {
  let sum = 0;
  let received = 0;
  setHandler(add, (value) => {
    sum += value;
    received++;
  });
  await condition(() => received >= count);
  return sum;
}

/** Each update adds to a total and returns it; `finish` closes the run with the total. */
export async function updates(): Promise<number> {
  let total = 0;
  let done = false;
  setHandler(deposit, (value) => {
    total += value;
    return total;
  });
  setHandler(finish, () => {
    done = true;
  });
  await condition(() => done);
  await condition(allHandlersFinished);
  return total;
}

/** Sum of the squares 1..n, an activity each. */
export async function squares(n: number): Promise<number> {
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += await acts.square(i);
  return sum;
}

/** A child workflow's result, plus one. */
export async function parent(n: number): Promise<number> {
  const child = await executeChild(squares, { args: [n], workflowId: `${workflowInfo().workflowId}-child` });
  return child + 1;
}

/** Continues as new `remaining` times, an activity per run: the sum of squares 1..n at the end. */
export async function chain(remaining: number, sum: number): Promise<number> {
  sum += await acts.square(remaining);
  if (remaining > 1) return continueAsNew<typeof chain>(remaining - 1, sum);
  return sum;
}

/** Waits for ever after one activity: only a cancellation closes it. */
export async function cancellable(value: number): Promise<never> {
  await acts.square(value);
  await condition(() => false);
  throw new Error('unreachable: the condition never holds');
}

/**
 * A timer of days (past SQS's 15-minute delay: it waits in the due-time index for the sweeper),
 * then an activity.
 */
export async function longTimer(days: number, value: number): Promise<number> {
  await sleep(days * 86_400_000);
  return (await acts.square(value)) + days;
}

/** `count` activities scheduled in one workflow task; the sum of their squares. */
export async function fanOut(count: number): Promise<number> {
  const values = await Promise.all(Array.from({ length: count }, (_, i) => acts.square(i)));
  return values.reduce((a, b) => a + b, 0);
}

/**
 * Payloads above the inline limit (offloaded to S3) in each place: the input, an activity's result
 * and input, and the workflow's result.
 */
export async function large(text: string, bytes: number): Promise<{ checksum: number; echo: string }> {
  const blob = await acts.blob(bytes);
  return { checksum: await acts.checksum(blob + text), echo: text };
}

// Workflows exercising the core surface, used by test/integration/core.test.ts.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  sleep,
  workflowInfo,
} from 'cairnflow/workflow';

export interface CoreActivities {
  slowStep(label: string, ms: number): Promise<string>;
  heartbeatingStep(beats: number, everyMs: number): Promise<string>;
  cleanup(label: string): Promise<void>;
  echo(value: string): Promise<string>;
}

const slow = proxyActivities<CoreActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3, initialInterval: '1s' },
});
const beating = proxyActivities<CoreActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '5s',
  retry: { maximumAttempts: 3, initialInterval: '1s' },
});
const quick = proxyActivities<CoreActivities>({ startToCloseTimeout: '1 minute' });

export async function slowThenFast(label: string, firstAttemptMs: number): Promise<string> {
  return slow.slowStep(label, firstAttemptMs);
}

export async function heartbeats(beats: number): Promise<string> {
  return beating.heartbeatingStep(beats, 1000);
}

/** Sleeps three timers of different lengths concurrently and reports the order and clock readings. */
export async function timerOrder(): Promise<{ order: string[]; elapsed: number[] }> {
  const start = Date.now();
  const order: string[] = [];
  const elapsed: number[] = [];
  const wait = async (label: string, duration: string) => {
    await sleep(duration);
    order.push(label);
    elapsed.push(Date.now() - start);
  };
  await Promise.all([wait('c', '3 hours'), wait('a', '1 minute'), wait('b', '2 days')]);
  return { order, elapsed };
}

/** Sleeps a day; if cancelled, cleans up in a non-cancellable scope and reports it. */
export async function sleepyCleanup(): Promise<string> {
  try {
    await sleep('1 day');
    return 'slept';
  } catch (error) {
    if (!isCancellation(error)) throw error;
    await CancellationScope.nonCancellable(() => quick.cleanup('after-cancel'));
    return 'cancelled and cleaned up';
  }
}

/** Sleeps a day and lets a cancellation propagate. */
export async function sleeper(): Promise<void> {
  await sleep('1 day');
}

export async function deterministicValues(): Promise<{ now: number; random: number; info: string }> {
  return { now: Date.now(), random: Math.random(), info: workflowInfo().workflowType };
}

/** Uses setTimeout, which inside workflow code is a durable timer. */
export async function timeoutTimer(): Promise<number> {
  const start = Date.now();
  await new Promise<void>((resolve) => setTimeout(resolve, 60_000));
  return Date.now() - start;
}

export async function forbidden(
  api: 'fetch' | 'randomUUID' | 'setInterval' | 'readFile' | 'spawn',
): Promise<string> {
  if (api === 'fetch') await fetch('http://127.0.0.1:1/');
  if (api === 'readFile') return readFileSync('/etc/hostname', 'utf8');
  if (api === 'spawn') spawnSync('true');
  if (api === 'randomUUID') return crypto.randomUUID();
  if (api === 'setInterval') setInterval(() => {}, 1000);
  return 'unreachable';
}

export async function failsWith(message: string): Promise<never> {
  throw ApplicationFailure.nonRetryable(message, 'Deliberate');
}

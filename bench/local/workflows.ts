import { proxyActivities } from 'cairnflow/workflow';
import type { localBenchActivities } from './activities.ts';

/**
 * Short enough that every attempt's start-to-close watchdog (a delayed system-queue message the
 * engine sends per attempt) fires within the cost phase, so its cost is counted; long enough that a
 * trivial activity never times out on a loaded 2-core machine. The watchdog costs the same whatever
 * the timeout, so this choice changes no per-step figure.
 */
export const START_TO_CLOSE_MS = 5_000;

const { step } = proxyActivities<typeof localBenchActivities>({ startToCloseTimeout: START_TO_CLOSE_MS });

/** `count` trivial activities one after another: one activity task and one workflow task each. */
export async function localSequentialSteps(count: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < count; i++) total += await step(i);
  return total;
}

export const LOCAL_BENCH_TASK_QUEUE = 'bench-local';

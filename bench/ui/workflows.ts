import { proxyActivities } from 'cairnflow/workflow';
import type { uiBenchActivities } from './activities.ts';

const { touch } = proxyActivities<typeof uiBenchActivities>({ startToCloseTimeout: 60_000 });

/** Completes in its first workflow task: the bulk of the 10,000 runs the list pages over. */
export async function uiInstant(index: number): Promise<number> {
  return index;
}

/**
 * `count` trivial activities at once: three events each (scheduled, started, completed) plus the
 * workflow tasks', so 340 of them give a history of over 1,000 events in a few seconds.
 */
export async function uiFanOut(count: number): Promise<number> {
  const results = await Promise.all(Array.from({ length: count }, (_, i) => touch(i)));
  return results.reduce((sum, value) => sum + value, 0);
}

export const UI_BENCH_TASK_QUEUE = 'bench-ui';
/** Activities of the long run: 340 × 3 events plus the start, the close and the workflow tasks. */
export const UI_FAN_OUT_ACTIVITIES = 340;

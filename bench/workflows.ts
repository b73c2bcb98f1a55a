import { proxyActivities } from 'cairnflow/workflow';

/**
 * The activities the benchmark workflows call: trivial on purpose, so a measurement shows the
 * engine's cost per step and not the activity's.
 */
export const benchActivities = {
  /** Echoes its input. */
  async step(i: number): Promise<number> {
    return i;
  },
};

const { step } = proxyActivities<typeof benchActivities>({ startToCloseTimeout: '1 minute' });

/** `count` trivial activities, one after another: one workflow task per activity. */
export async function sequentialSteps(count: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < count; i++) total += await step(i);
  return total;
}

/** `count` trivial activities scheduled at once by one workflow task, awaited with `Promise.all`. */
export async function fanOut(count: number): Promise<number> {
  const results = await Promise.all(Array.from({ length: count }, (_, i) => step(i)));
  return results.length;
}

export const BENCH_TASK_QUEUE = 'bench';

/** The worker every benchmark registers: the bench workflows and their trivial activity. */
export const benchWorker = {
  taskQueue: BENCH_TASK_QUEUE,
  workflows: { sequentialSteps, fanOut },
  activities: benchActivities,
};

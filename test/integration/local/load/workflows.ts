import { condition, defineSignal, proxyActivities, setHandler } from 'cairnflow/workflow';
import type * as activities from './activities.ts';

const { step } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

/** Ten activities one after another: ten workflow tasks and ten activity tasks per run. */
export async function tenSteps(seed: number): Promise<number> {
  let value = seed;
  for (let i = 0; i < 10; i++) value = await step(value);
  return value;
}

export const finish = defineSignal('finish');

/** Runs until it is told to finish: a run that is surely still open when a test signals it. */
export async function untilFinished(): Promise<void> {
  let finished = false;
  setHandler(finish, () => {
    finished = true;
  });
  await condition(() => finished);
}

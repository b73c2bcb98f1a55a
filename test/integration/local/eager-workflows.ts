// Workflows of test/integration/local/eager.test.ts: sequential steps with timeouts short enough to
// run eagerly inside a 2-second worker invocation.
import { proxyActivities } from 'cairnflow/workflow';

export interface EagerActivities {
  step(i: number, ms: number): Promise<number>;
}

const { step } = proxyActivities<EagerActivities>({
  startToCloseTimeout: '500ms',
  retry: { initialInterval: '100ms', maximumAttempts: 5 },
});

/** `steps` activities one after the other, each taking `ms`; returns the sum of their indices. */
export async function sequence(steps: number, ms = 0): Promise<number> {
  let sum = 0;
  for (let i = 0; i < steps; i++) sum += await step(i, ms);
  return sum;
}

const { step: minuteStep } = proxyActivities<EagerActivities>({ startToCloseTimeout: '1 minute' });

/** Two steps under the common one-minute timeout: the second takes `ms`. */
export async function minuteBound(ms: number): Promise<number> {
  return (await minuteStep(0, 0)) + (await minuteStep(1, ms));
}

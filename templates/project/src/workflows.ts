// Workflow code is deterministic: no I/O here, only activities, timers, signals and queries.
import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from 'cairnflow/workflow';
import type * as activities from './activities.js';

const { composeGreeting, deliverGreeting } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/** Sent to a waiting greeting to deliver it now instead of at the deadline. */
export const deliverNow = defineSignal('deliverNow');
/** Where the greeting is: 'composing', 'waiting' or 'delivered'. */
export const stage = defineQuery<string>('stage');

/** Composes a greeting, waits up to `wait` (or for the deliverNow signal), then delivers it. */
export async function greeting(name: string, wait: string = '1 day'): Promise<string> {
  let current = 'composing';
  let now = false;
  setHandler(stage, () => current);
  setHandler(deliverNow, () => {
    now = true;
  });
  const text = await composeGreeting(name);
  current = 'waiting';
  await condition(() => now, wait);
  const receipt = await deliverGreeting(text);
  current = 'delivered';
  return receipt;
}

import * as wf from 'cairnflow/workflow';
import type * as activities from './activity-info-activities.ts';

const { whoCalledMe } = wf.proxyActivities<typeof activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds' },
});

export async function askWhoCalled(): Promise<string> {
  return whoCalledMe();
}

const { finishOutside } = wf.proxyActivities<typeof activities>({ startToCloseTimeout: '1 hour' });

export async function twoOutside(): Promise<string[]> {
  return [await finishOutside(), await finishOutside()];
}

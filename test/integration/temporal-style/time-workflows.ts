import * as wf from 'cairnflow/workflow';

// The activities come from the test (they close over its environment), so they are untyped here.
const { waitAnHour, awaitSleeper } = wf.proxyActivities({ startToCloseTimeout: '2 days' });

export async function activityWaitsOnEnv(): Promise<number> {
  return waitAnHour();
}

export async function sleeper(): Promise<string> {
  await wf.sleep('1 day');
  return 'woke';
}

export async function activityAwaitsAnotherRun(): Promise<string> {
  return awaitSleeper();
}

import * as wf from 'cairnflow/workflow';
import type * as activities from './benign-activities.ts';

const { pollOnce, breakOnce } = wf.proxyActivities<typeof activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
});

/** Polls until the second attempt (the first is a benign "not yet"), then breaks once for real. */
export async function pollThenBreak(): Promise<string> {
  const polled = await pollOnce();
  const repaired = await breakOnce();
  try {
    await pollOnce('never');
    return 'unexpected';
  } catch (error) {
    if (!(error instanceof wf.ActivityFailure) || !(error.cause instanceof wf.ApplicationFailure))
      throw error;
    return `${polled} ${repaired} ${error.cause.category}`;
  }
}

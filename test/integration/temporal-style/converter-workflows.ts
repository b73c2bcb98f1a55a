import * as wf from 'cairnflow/workflow';
import type * as activities from './converter-activities.ts';

const { describeValue } = wf.proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export interface Measurement {
  pattern: RegExp;
  reading: number;
  takenAt: Date;
}

/** Hands the value to an activity and returns it with what the activity saw. */
export async function echoMeasurement(input: Measurement): Promise<{ echoed: Measurement; seen: string }> {
  const seen = await describeValue(input);
  return { echoed: input, seen };
}

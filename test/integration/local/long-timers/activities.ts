// Activities for the long-timer tests, recording each attempt (the workers run in this process).
import { ApplicationFailure, activityInfo } from 'cairnflow/activity';

/** Attempts by key, with the time each started (the activity's own wall clock). */
export const attempts = new Map<string, number[]>();

export async function failsOnce(key: string): Promise<string> {
  const { attempt } = activityInfo();
  attempts.set(key, [...(attempts.get(key) ?? []), attempt]);
  if (attempt === 1) throw ApplicationFailure.create({ message: 'first attempt fails', type: 'Flaky' });
  return `${key} done on attempt ${attempt}`;
}

import { activityInfo, Context } from 'cairnflow/activity';
import { ApplicationFailure } from 'cairnflow/common';

/** How often each local activity ran, by key: replay must never add to these. */
export const runs: Record<string, number> = {};
const count = (key: string) => {
  runs[key] = (runs[key] ?? 0) + 1;
  return runs[key];
};

export async function addOne(key: string, value: number): Promise<number> {
  count(`addOne:${key}`);
  return value + 1;
}

/** Fails its first `failures` attempts (per key), then answers which attempt succeeded. */
export async function flaky(key: string, failures: number): Promise<number> {
  count(`flaky:${key}`);
  const { attempt } = activityInfo();
  if (attempt <= failures)
    throw ApplicationFailure.create({ message: `attempt ${attempt} failed`, type: 'Flaky' });
  return attempt;
}

export async function refuse(key: string): Promise<never> {
  count(`refuse:${key}`);
  throw ApplicationFailure.nonRetryable('not today', 'Refused');
}

export async function dawdle(key: string): Promise<string> {
  count(`dawdle:${key}`);
  await Context.current().sleep('1 minute');
  return 'late';
}

export async function describeSelf(): Promise<{
  isLocal: boolean;
  activityType: string;
  taskToken: unknown;
}> {
  const info = activityInfo();
  return { isLocal: info.isLocal, activityType: info.activityType, taskToken: info.base64TaskToken };
}

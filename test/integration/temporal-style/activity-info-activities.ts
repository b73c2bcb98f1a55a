import { type ActivityInfo, activityInfo, CompleteAsyncError } from 'cairnflow/activity';

export const seen: ActivityInfo[] = [];

/** Fails its first attempt, so the second shows a retry's info; returns who scheduled it. */
export async function whoCalledMe(): Promise<string> {
  const info = activityInfo();
  seen.push(info);
  if (info.attempt === 1) throw new Error('first attempt fails');
  const { workflowId, runId } = info.workflowExecution;
  return `${info.workflowType} ${workflowId} ${runId.length > 0}`;
}

export const outside: ActivityInfo[] = [];

/** Finishes later, from outside its worker, by its task token. */
export async function finishOutside(): Promise<string> {
  outside.push(activityInfo());
  throw new CompleteAsyncError();
}

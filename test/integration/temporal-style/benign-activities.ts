import { ApplicationFailure, ApplicationFailureCategory, activityInfo } from 'cairnflow/activity';

export async function pollOnce(mode = 'once'): Promise<string> {
  if (mode === 'never' || activityInfo().attempt === 1) {
    throw ApplicationFailure.create({
      message: 'not ready yet',
      type: 'NotReady',
      category: ApplicationFailureCategory.BENIGN,
    });
  }
  return 'ready';
}

export async function breakOnce(): Promise<string> {
  if (activityInfo().attempt === 1) throw new Error('disk on fire');
  return 'repaired';
}

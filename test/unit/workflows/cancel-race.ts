import { isCancellation, proxyActivities, sleep } from 'cairnflow/workflow';

const { work } = proxyActivities<{ work(): Promise<string> }>({ startToCloseTimeout: '1 minute' });

/** Awaits one activity; a cancellation while it runs answers 'cancelled'. */
export async function awaitsWork(): Promise<string> {
  try {
    return await work();
  } catch (error) {
    if (isCancellation(error)) return 'cancelled';
    throw error;
  }
}

/** Awaits one timer; a cancellation while it waits answers 'cancelled'. */
export async function awaitsTimer(): Promise<string> {
  try {
    await sleep('1 minute');
    return 'fired';
  } catch (error) {
    if (isCancellation(error)) return 'cancelled';
    throw error;
  }
}

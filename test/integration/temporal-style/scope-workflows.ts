// Cancellation scopes as Temporal's samples use them: `new CancellationScope(...)` and `scope.run`.
import * as wf from 'cairnflow/workflow';
import type * as activities from './scope-activities.ts';

const { slowStep, cleanup } = wf.proxyActivities<typeof activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
});

export const releaseCleanup = wf.defineSignal('releaseCleanup');

/**
 * Cancelled from outside while waiting: the non-cancellable cleanup scope hears the request
 * (its cancelRequested rejects) and still finishes its activity.
 */
export async function cleanupAfterCancel(): Promise<string[]> {
  const trail: string[] = [];
  let released = false;
  wf.setHandler(releaseCleanup, () => {
    released = true;
  });
  const cleanupScope = new wf.CancellationScope({ cancellable: false });
  const cleanupDone = cleanupScope.run(async () => {
    await cleanupScope.cancelRequested.catch((error: unknown) => {
      trail.push(wf.isCancellation(error) ? 'cleanup heard the cancel' : 'unexpected');
    });
    await wf.condition(() => released);
    trail.push(await cleanup('after cancel'));
  });
  try {
    await wf.sleep('1 day');
    trail.push('slept');
  } catch (error) {
    if (!wf.isCancellation(error)) throw error;
    trail.push('sleep cancelled');
  }
  await cleanupDone;
  return trail;
}

/** A scope with a timeout, built with `new CancellationScope({ timeout })`. */
export async function stepWithTimeout(): Promise<string> {
  try {
    return await new wf.CancellationScope({ timeout: '10 seconds' }).run(() => slowStep());
  } catch (error) {
    if (wf.isCancellation(error)) return 'timed out';
    throw error;
  }
}

/** A scope with no options is cancellable: cancelling it cancels its timer. */
export async function cancelOwnScope(): Promise<string> {
  const scope = new wf.CancellationScope();
  const sleeping = scope.run(() => wf.sleep('1 day'));
  scope.cancel();
  try {
    await sleeping;
    return 'slept';
  } catch (error) {
    return wf.isCancellation(error) && scope.consideredCancelled ? 'cancelled' : 'unexpected';
  }
}

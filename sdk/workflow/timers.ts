import { type Duration, durationToMs } from '../common/duration.ts';
import { CancellationScope } from '../engine/cancellation-scope.ts';
import { currentSlot } from '../engine/current-run.ts';

/**
 * Waits durably: the workflow costs nothing while it sleeps, and wakes after `duration` of
 * workflow time even across deploys. Rejects with `CancelledFailure` if its scope is cancelled.
 *
 * @example
 * await sleep('30 days');
 */
export function sleep(duration: Duration): Promise<void> {
  const { activator, scope } = currentSlot('sleep');
  return activator.startTimer(duration, scope).promise;
}

/**
 * Resolves when `fn()` turns true. With a timeout, resolves `false` if it did not in time.
 *
 * @example
 * const approved = await condition(() => decision !== undefined, '30 days');
 */
export function condition(fn: () => boolean, timeout: Duration): Promise<boolean>;
export function condition(fn: () => boolean): Promise<undefined>;
export async function condition(fn: () => boolean, timeout?: Duration): Promise<boolean | undefined> {
  const { activator } = currentSlot('condition');
  if (timeout === undefined) {
    await activator.waitCondition(fn, CancellationScope.current());
    return undefined;
  }
  const timeoutMs = durationToMs(timeout);
  return CancellationScope.cancellable(async () => {
    const scope = CancellationScope.current();
    try {
      return await Promise.race([
        activator.startTimer(timeoutMs, scope).promise.then(() => false),
        activator.waitCondition(fn, scope).then(() => true),
      ]);
    } finally {
      // Whichever lost the race is cancelled, so no timer is left running.
      scope.cancel();
    }
  });
}

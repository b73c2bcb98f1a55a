import { runtimeFromEnvironment } from '../sdk/runtime/from-environment.ts';

/** Time kept back from the invocation's timeout to finish the pages in hand: a quarter, at most 10 s. */
const STOP_MARGIN_MS = 10_000;

/** What one sweep did: tasks handed on, whether it got through all that was due, tasks it left stuck. */
export interface SweepOutcome {
  moved: number;
  complete: boolean;
  stuck: number;
}

/**
 * Every minute: hands tasks parked in the due-time index to their queues as they come due. A sweep
 * that runs short of time stops between pages; the next one carries on where the index stands.
 */
export async function handler(
  _event?: unknown,
  context?: { getRemainingTimeInMillis(): number },
): Promise<SweepOutcome> {
  const { dispatch, deps } = runtimeFromEnvironment();
  const remaining = context?.getRemainingTimeInMillis();
  const result = await dispatch.sweepDue({
    stopBy:
      remaining === undefined ? undefined : Date.now() + remaining - Math.min(STOP_MARGIN_MS, remaining / 4),
  });
  if (result.stuck.length > 0) {
    deps.logger('error', 'sweeper left tasks in the due-time index that it could not hand on', {
      count: result.stuck.length,
      first: result.stuck[0],
    });
  }
  return { moved: result.moved, complete: result.complete, stuck: result.stuck.length };
}

import type { RunState } from '../engine/run-state.ts';

/** The search attribute Temporal sets on a run a schedule started; its close wakes that schedule. */
export const SCHEDULED_BY_ID = 'TemporalScheduledById';

/**
 * Whether a closed run's `notifyParent` task has work: a parent to tell, a cron chain to go on, or a
 * schedule to wake (`system-task.ts` does those three on it). A closed state is final, so the task's
 * handler would find exactly what the router sees in the closing batch.
 */
export function closeHasListeners(state: RunState): boolean {
  return (
    state.parent !== undefined ||
    state.cronSchedule !== undefined ||
    typeof state.searchAttributes[SCHEDULED_BY_ID] === 'string'
  );
}

/**
 * Whether a closed run's `applyParentClosePolicy` task has work: an open child, with a known run,
 * whose policy is to terminate or cancel it (the handler passes over every other one).
 */
export function closeReachesChildren(state: RunState): boolean {
  return Object.values(state.children).some(
    (child) => child.parentClosePolicy !== 'ABANDON' && child.runId !== undefined,
  );
}

import type { RunRef } from '../backend/ports.ts';
import type { TimeoutType } from '../common/failures.ts';
import { unguardedEagerAttempts } from '../engine/eager-activities.ts';
import type { PendingActivity, RunState } from '../engine/run-state.ts';
import type { RuntimeDeps } from './deps.ts';
import { runRefOf } from './run-ref.ts';

/**
 * The engine's backstop timers of an activity attempt: system-queue messages due when its
 * start-to-close or heartbeat timeout would elapse, in case the worker running it dies.
 */

/**
 * Watchdogs for the eager attempts that outlived their invocation before their own bound elapsed
 * (sdk/engine/eager-activities.ts `unguardedEagerAttempts`): timed from the attempt's start, so
 * each fires when its bound does, as a queued attempt's would. Sent again by each workflow or
 * activity task that finds them so; a duplicate watchdog is a no-op.
 */
export async function guardOutlivedEagerAttempts(deps: RuntimeDeps, state: RunState, now: number) {
  const ref = runRefOf(state);
  await Promise.all(
    unguardedEagerAttempts(state, now).map((scheduledEventId) => {
      const activity = state.activities[scheduledEventId]!;
      return scheduleWatchdogs(deps, { ref, scheduledEventId, attempt: 1 }, activity, activity.scheduledTime);
    }),
  );
}

/** Backstop timers in the engine's queue, in case this worker dies mid-attempt. */
export async function scheduleWatchdogs(
  deps: RuntimeDeps,
  task: { ref: RunRef; scheduledEventId: number; attempt: number },
  activity: PendingActivity,
  now: number,
) {
  const { options } = activity;
  const op = (timeoutType: TimeoutType) =>
    ({
      type: 'activityTimeout',
      scheduledEventId: task.scheduledEventId,
      attempt: task.attempt,
      timeoutType,
      attemptStartTime: now,
    }) as const;
  const items = [];
  if (options.startToCloseMs !== undefined) {
    items.push({
      task: { kind: 'system' as const, ref: task.ref, op: op('StartToClose') },
      dueTime: now + options.startToCloseMs,
    });
  }
  if (options.heartbeatMs !== undefined) {
    items.push({
      task: { kind: 'system' as const, ref: task.ref, op: op('Heartbeat') },
      dueTime: now + options.heartbeatMs,
    });
  }
  if (items.length) await deps.dispatch.dispatch(items);
}

import type { RunRef } from '../backend/ports.ts';
import { TimeoutFailure, type TimeoutType, toFailureInfo } from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import type { PendingActivity } from '../engine/run-state.ts';
import { runAttempt } from './activity-attempt.ts';
import { commitActivityOutcome } from './activity-outcomes.ts';
import type { RuntimeDeps } from './deps.ts';
import type { ActivityAttemptRef } from './task-token.ts';
import type { WorkerRegistry } from './worker-registry.ts';

/** A task of the activity queue: one attempt of one activity. */
export interface ActivityTask {
  ref: RunRef;
  scheduledEventId: number;
  attempt: number;
  input?: Payload[];
}

/**
 * Runs one activity attempt: checks it is still wanted, runs the function with its context
 * (heartbeats, cancellation signal, local timeout watchdogs), and commits the outcome.
 */
export async function processActivityTask(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  task: ActivityTask,
): Promise<void> {
  const { ref, scheduledEventId, attempt } = task;
  const attemptRef: ActivityAttemptRef = { ...ref, scheduledEventId, attempt };
  const state = await deps.store.getRun(ref.namespace, ref.runId);
  const activity = state?.activities[scheduledEventId];
  if (state?.status !== 'Running' || !activity || activity.attempt !== attempt) return;
  const now = deps.clock.now();
  if (activity.nextAttemptTime !== undefined && activity.nextAttemptTime > now) {
    await deps.dispatch.dispatch([
      {
        task: { kind: 'activity', ref, taskQueue: worker.taskQueue, scheduledEventId, attempt },
        dueTime: activity.nextAttemptTime,
      },
    ]);
    return;
  }
  if (activity.cancelRequested) {
    await commitActivityOutcome(
      deps,
      worker,
      attemptRef,
      { type: 'canceled' },
      undefined,
      state.workflowType,
    );
    return;
  }
  const { options } = activity;
  if (attempt === 1 && options.scheduleToStartMs !== undefined) {
    if (now > activity.scheduledTime + options.scheduleToStartMs) {
      const failure = toFailureInfo(new TimeoutFailure(undefined, 'ScheduleToStart'), worker.converter);
      await commitActivityOutcome(deps, worker, attemptRef, {
        type: 'timedOut',
        timeoutType: 'ScheduleToStart',
        failure,
      });
      return;
    }
    // Tells the schedule-to-start watchdog that the attempt did start.
    await deps.store.recordHeartbeat(ref.namespace, ref.runId, scheduledEventId, { attempt, time: now });
  }
  await scheduleWatchdogs(deps, task, activity, now);
  const outcome = await runAttempt(deps, worker, state, activity, attemptRef, now, task.input);
  if (outcome) await commitActivityOutcome(deps, worker, attemptRef, outcome, now, state.workflowType);
}

/** Backstop timers in the engine's queue, in case this worker dies mid-attempt. */
async function scheduleWatchdogs(
  deps: RuntimeDeps,
  task: ActivityTask,
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

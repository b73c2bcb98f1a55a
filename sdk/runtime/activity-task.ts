import type { RunRef } from '../backend/ports.ts';
import { TimeoutFailure, toFailureInfo } from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import { orphanedEagerAttempts } from '../engine/eager-activities.ts';
import type { RunState } from '../engine/run-state.ts';
import { runAttempt } from './activity-attempt.ts';
import { commitActivityOutcome } from './activity-outcomes.ts';
import { guardOutlivedEagerAttempts, scheduleWatchdogs } from './activity-watchdogs.ts';
import type { RuntimeDeps } from './deps.ts';
import type { EagerChain } from './eager-chain.ts';
import { runRefOf } from './run-ref.ts';
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
 * (heartbeats, cancellation signal, local timeout watchdogs), and commits the outcome. With a
 * chain, the workflow task the outcome wakes may start the next activities right here (eager).
 */
export async function processActivityTask(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  task: ActivityTask,
  chain?: EagerChain,
): Promise<void> {
  const { ref, scheduledEventId, attempt } = task;
  const attemptRef: ActivityAttemptRef = { ...ref, scheduledEventId, attempt };
  const state = await deps.store.getRun(ref.namespace, ref.runId);
  if (state) await recoverOrphans(deps, worker, state, chain);
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
    await commitActivityOutcome(deps, worker, attemptRef, { type: 'canceled' }, undefined, {
      workflowType: state.workflowType,
    });
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
  if (!outcome) return;
  await commitActivityOutcome(deps, worker, attemptRef, outcome, now, {
    workflowType: state.workflowType,
    // The only pending activity: no sibling's outcome can have moved the head meanwhile.
    head: Object.keys(state.activities).length === 1 ? state : undefined,
    chain,
  });
}

/**
 * Times out the eager attempts a dead invocation left claimed (sdk/engine/eager-activities.ts).
 * The message that anchored that invocation reappears after its visibility timeout and lands here
 * or in the workflow task (which does the same in its own write).
 */
async function recoverOrphans(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  state: RunState,
  chain?: EagerChain,
) {
  const now = deps.clock.now();
  await guardOutlivedEagerAttempts(deps, state, now);
  const orphans = orphanedEagerAttempts(state, now);
  await Promise.all(
    orphans.map((orphan) =>
      commitActivityOutcome(
        deps,
        worker,
        { ...runRefOf(state), scheduledEventId: orphan.scheduledEventId, attempt: orphan.attempt },
        orphan.outcome,
        orphan.attemptStartTime,
        { workflowType: state.workflowType, chain },
      ),
    ),
  );
}

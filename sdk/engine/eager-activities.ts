import type { AttemptOutcome } from './activity-outcome.ts';
import type { EventOf, HistoryEvent } from './events.ts';
import type { PendingActivity, RunState } from './run-state.ts';

/**
 * Eager execution (DESIGN.md, "the step path at its floor"): a worker that commits a workflow task
 * scheduling activities on its own task queue starts some of them itself, and records in that same
 * write that it did (`eagerUntil` on their `ActivityTaskScheduled`), so the router sends no task for
 * them. These are the pure decisions: which activities a task claims, and which claims a dead
 * invocation left behind.
 */

/** What one workflow task may claim. */
export interface EagerPolicy {
  /** The worker's task queue: only its own activities are run eagerly. */
  taskQueue: string;
  /** At most this many per workflow task. */
  max: number;
  /** When the invocation that would hold the claims ends (epoch ms). */
  deadline: number;
  /** Room kept after an activity's bound for committing its outcome before the deadline. */
  marginMs: number;
  /** Whether the worker registers the activity type. */
  runs(activityType: string): boolean;
}

/**
 * Clock skew tolerated between the host that claimed an activity and the one that judges the claim
 * orphaned. The judge is the redelivery of the message that anchored the claiming invocation, which
 * reappears a visibility timeout (six function timeouts) after it was received: long past this.
 */
export const ORPHAN_SLACK_MS = 5_000;

/** The longest an attempt may take under its own timeouts, or undefined if nothing bounds it. */
function attemptBound(activity: Pick<PendingActivity, 'options'>): number | undefined {
  const { startToCloseMs, scheduleToCloseMs } = activity.options;
  const bound = Math.min(startToCloseMs ?? Infinity, scheduleToCloseMs ?? Infinity);
  return Number.isFinite(bound) ? bound : undefined;
}

/**
 * Marks the `ActivityTaskScheduled` events of a workflow task's commit that its worker runs itself:
 * at most `policy.max`, on the worker's task queue, of a registered type, still pending and not
 * cancelled once the whole commit applies (`after`), and sure to end within the invocation (their
 * start-to-close or schedule-to-close bound, plus the margin, before the deadline). Activities with
 * a heartbeat timeout stay on the queue: they are the long, cancellable ones, and while an eager
 * attempt runs, the run's other workflow tasks wait for its outcome (its message group is held).
 * Returns the events (claimed ones copied with `eagerUntil`) and the claimed event ids.
 */
export function claimEagerActivities(
  events: readonly HistoryEvent[],
  after: RunState,
  policy: EagerPolicy,
  now: number,
): { events: HistoryEvent[]; claimed: number[] } {
  const claimed: number[] = [];
  if (policy.max <= 0 || after.status !== 'Running') return { events: [...events], claimed };
  const marked = events.map((event) => {
    if (event.type !== 'ActivityTaskScheduled' || claimed.length >= policy.max) return event;
    if (!eligible(event, after, policy, now)) return event;
    claimed.push(event.eventId);
    return { ...event, eagerUntil: policy.deadline } satisfies EventOf<'ActivityTaskScheduled'>;
  });
  return { events: marked, claimed };
}

function eligible(
  event: EventOf<'ActivityTaskScheduled'>,
  after: RunState,
  policy: EagerPolicy,
  now: number,
): boolean {
  const pending = after.activities[event.eventId];
  if (!pending || pending.cancelRequested || pending.attempt !== 1) return false;
  if (event.taskQueue !== policy.taskQueue || !policy.runs(event.activityType)) return false;
  if (event.options.heartbeatMs !== undefined) return false;
  const bound = attemptBound(event);
  return bound !== undefined && now + bound + policy.marginMs <= policy.deadline;
}

/** Whether an eager attempt of the run may still be running at `time` (its invocation not yet over). */
export function holdsEagerClaim(state: RunState, time: number): boolean {
  if (state.status !== 'Running') return false;
  return Object.values(state.activities).some(
    (activity) =>
      activity.eagerUntil !== undefined &&
      activity.attempt === 1 &&
      time <= activity.eagerUntil + ORPHAN_SLACK_MS,
  );
}

/**
 * Eager attempts whose invocation is gone: claimed, never resolved, and `now` well past the
 * claiming invocation's end. Each is recorded as the timeout that has certainly elapsed by then
 * (the claim required the attempt's bound to end before the deadline), which retries it from the
 * queue as the activity's retry policy allows, as a crashed Temporal worker's attempt does.
 */
export function orphanedEagerAttempts(state: RunState, now: number): AttemptOutcome[] {
  if (state.status !== 'Running') return [];
  const orphans: AttemptOutcome[] = [];
  for (const [id, activity] of Object.entries(state.activities)) {
    if (activity.eagerUntil === undefined || activity.attempt !== 1) continue;
    if (now <= activity.eagerUntil + ORPHAN_SLACK_MS) continue;
    const timeoutType =
      activity.options.startToCloseMs !== undefined &&
      activity.options.startToCloseMs <= (activity.options.scheduleToCloseMs ?? Infinity)
        ? 'StartToClose'
        : 'ScheduleToClose';
    orphans.push({
      scheduledEventId: Number(id),
      attempt: 1,
      attemptStartTime: activity.scheduledTime,
      outcome: {
        type: 'timedOut',
        timeoutType,
        failure: { kind: 'timeout', message: `${timeoutType} timeout`, timeoutType },
      },
    });
  }
  return orphans;
}

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

/**
 * Time an eager claim needs left in its invocation (after the margin), for an activity whose own
 * bound is longer: a `startToCloseTimeout` of a minute in a one-minute worker function is the
 * common case, and most such attempts take milliseconds. One still running when the invocation
 * must hand over is guarded from then on by the engine's watchdogs (`EagerChain`), as a queued
 * attempt is; one whose invocation died is timed out once its bound has elapsed.
 */
export const EAGER_WINDOW_MS = 10_000;

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
 * start-to-close or schedule-to-close bound, or {@link EAGER_WINDOW_MS} if that is shorter, plus the
 * margin, before the deadline). Activities with
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
  return bound !== undefined && policy.deadline - policy.marginMs - now >= Math.min(bound, EAGER_WINDOW_MS);
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

/** Eager attempts claimed, never resolved, and `now` well past the claiming invocation's end. */
function pastClaim(state: RunState, now: number): [number, PendingActivity][] {
  if (state.status !== 'Running') return [];
  return Object.entries(state.activities)
    .filter(
      ([, activity]) =>
        activity.eagerUntil !== undefined &&
        activity.attempt === 1 &&
        now > activity.eagerUntil + ORPHAN_SLACK_MS,
    )
    .map(([id, activity]) => [Number(id), activity]);
}

/** Whether an eager attempt's own bound has elapsed by `now` (it started when it was scheduled). */
function boundElapsed(activity: PendingActivity, now: number): boolean {
  return now >= activity.scheduledTime + (attemptBound(activity) ?? Infinity);
}

/**
 * Eager attempts whose invocation is gone (past its claim) and whose own bound has elapsed: each
 * is recorded as that timeout, which retries it from the queue as the activity's retry policy
 * allows, as a crashed Temporal worker's attempt is timed out by its server.
 */
export function orphanedEagerAttempts(state: RunState, now: number): AttemptOutcome[] {
  const orphans: AttemptOutcome[] = [];
  for (const [id, activity] of pastClaim(state, now)) {
    if (!boundElapsed(activity, now)) continue;
    const timeoutType =
      activity.options.startToCloseMs !== undefined &&
      activity.options.startToCloseMs <= (activity.options.scheduleToCloseMs ?? Infinity)
        ? 'StartToClose'
        : 'ScheduleToClose';
    orphans.push({
      scheduledEventId: id,
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

/**
 * Eager attempts past their claim whose bound has not elapsed yet (an attempt longer than what was
 * left of its invocation): not timed out before their time, but guarded by the engine's watchdogs
 * from here on, as a queued attempt is. Their scheduled event ids.
 */
export function unguardedEagerAttempts(state: RunState, now: number): number[] {
  return pastClaim(state, now)
    .filter(([, activity]) => !boundElapsed(activity, now))
    .map(([id]) => id);
}

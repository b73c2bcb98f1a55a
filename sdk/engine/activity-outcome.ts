import type { FailureInfo, TimeoutType } from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import { numberEvents, type PendingEvent, wakeIfIdle } from './pending-events.ts';
import { nextRetry } from './retry-policy.ts';
import { applyEvents, type RunState } from './run-state.ts';

/**
 * How an activity attempt ended. Over the HTTP API only `completed` (the complete body) and
 * `failed` (the fail body) arrive; the engine itself records timeouts and cancellations.
 */
export type ActivityOutcome =
  | { type: 'completed'; result: Payload }
  | { type: 'failed'; failure: FailureInfo }
  | { type: 'timedOut'; timeoutType: TimeoutType; failure: FailureInfo }
  | { type: 'canceled'; details?: Payload };

/** One attempt's outcome, as the engine plans it into history. */
export interface AttemptOutcome {
  scheduledEventId: number;
  attempt: number;
  outcome: ActivityOutcome;
  /** When the attempt started (its ActivityTaskStarted time). @default now */
  attemptStartTime?: number;
}

/**
 * The events that record an attempt's outcome: started + closed (or a failure with the next
 * attempt's time when the retry policy allows one), and a workflow task when the workflow must
 * hear of it. Undefined when the attempt is stale: the run closed, or the activity closed or moved
 * on to another attempt, so a late or duplicate outcome changes nothing.
 */
export function planActivityOutcome(
  state: RunState,
  item: AttemptOutcome,
  now: number,
): PendingEvent[] | undefined {
  const { scheduledEventId, attempt, outcome } = item;
  const activity = state.activities[scheduledEventId];
  if (!activity || activity.attempt !== attempt || state.status !== 'Running') return undefined;
  const started: PendingEvent = {
    type: 'ActivityTaskStarted',
    scheduledEventId,
    attempt,
    eventTime: item.attemptStartTime ?? now,
  };
  const wake = wakeIfIdle(state);
  switch (outcome.type) {
    case 'completed':
      return [
        started,
        { type: 'ActivityTaskCompleted', scheduledEventId, attempt, result: outcome.result },
        ...wake,
      ];
    case 'canceled':
      return [{ type: 'ActivityTaskCanceled', scheduledEventId, details: outcome.details }, ...wake];
    case 'failed':
    case 'timedOut': {
      const deadline =
        activity.options.scheduleToCloseMs !== undefined
          ? activity.scheduledTime + activity.options.scheduleToCloseMs
          : undefined;
      // Schedule-to-close and schedule-to-start bound the activity, not the attempt: no retry.
      const decision =
        outcome.type === 'timedOut' &&
        (outcome.timeoutType === 'ScheduleToClose' || outcome.timeoutType === 'ScheduleToStart')
          ? ({ retryState: 'Timeout' } as const)
          : nextRetry(activity.options.retry, attempt, outcome.failure, now, deadline);
      const retrying = decision.retryState === 'InProgress';
      const common = {
        scheduledEventId,
        attempt,
        failure: outcome.failure,
        retryState: decision.retryState,
        nextAttemptTime: retrying ? now + decision.delayMs : undefined,
      };
      const event: PendingEvent =
        outcome.type === 'failed'
          ? { type: 'ActivityTaskFailed', ...common }
          : { type: 'ActivityTaskTimedOut', ...common, timeoutType: outcome.timeoutType };
      // An attempt that never started (schedule-to-start) records no ActivityTaskStarted.
      const head = outcome.type === 'timedOut' && outcome.timeoutType === 'ScheduleToStart' ? [] : [started];
      // A retry keeps the workflow asleep: it hears only of the activity's final outcome.
      return [...head, event, ...(retrying ? [] : wake)];
    }
    default: {
      const unknown: never = outcome;
      throw new TypeError(`Unknown activity outcome ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The events of several outcomes of one run, each planned on the state the previous ones leave
 * (so one workflow task wakes for all of them). Undefined when every outcome is stale.
 */
export function planActivityOutcomes(
  state: RunState,
  items: readonly AttemptOutcome[],
  now: number,
): PendingEvent[] | undefined {
  let running = state;
  const events: PendingEvent[] = [];
  for (const item of items) {
    const planned = planActivityOutcome(running, item, now);
    if (!planned) continue;
    running = applyEvents(running, numberEvents(planned, running.nextEventId, now));
    events.push(...planned);
  }
  return events.length ? events : undefined;
}

// Events in, events out: how an activity attempt's outcome is planned into history.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FailureInfo } from '../../sdk/common/failures.ts';
import { planActivityOutcome, planActivityOutcomes } from '../../sdk/engine/activity-outcome.ts';
import type { HistoryEvent } from '../../sdk/engine/events.ts';
import { numberEvents } from '../../sdk/engine/pending-events.ts';
import { applyEvents, initialRunState, type RunState } from '../../sdk/engine/run-state.ts';

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/golden/loan-approved.history.json', import.meta.url), 'utf8'),
) as HistoryEvent[];

/** The loan's run right after its first workflow task scheduled verifyIdentity (event 5). */
function runWithOpenActivity(): RunState {
  const events = golden.slice(0, 5);
  return applyEvents(initialRunState('default', 'run-1'), events);
}

const NOW = golden[4]!.eventTime + 5_000;
const result = { metadata: { encoding: 'json/plain' }, data: '"ok"' };
const failure = (type = 'Flaky'): FailureInfo => ({
  kind: 'application',
  message: 'bureau down',
  type,
  nonRetryable: false,
});

describe('planActivityOutcome', () => {
  it('records a completion as started + completed and wakes the idle workflow', () => {
    const events = planActivityOutcome(
      runWithOpenActivity(),
      {
        scheduledEventId: 5,
        attempt: 1,
        outcome: { type: 'completed', result },
        attemptStartTime: NOW - 100,
      },
      NOW,
    );
    expect(events).toEqual([
      { type: 'ActivityTaskStarted', scheduledEventId: 5, attempt: 1, eventTime: NOW - 100 },
      { type: 'ActivityTaskCompleted', scheduledEventId: 5, attempt: 1, result },
      { type: 'WorkflowTaskScheduled', attempt: 1 },
    ]);
  });

  it('schedules no second workflow task when one is already scheduled', () => {
    const state = applyEvents(
      runWithOpenActivity(),
      numberEvents([{ type: 'WorkflowTaskScheduled', attempt: 1 }], 6, NOW),
    );
    const events = planActivityOutcome(
      state,
      { scheduledEventId: 5, attempt: 1, outcome: { type: 'completed', result } },
      NOW,
    );
    expect(events?.map((event) => event.type)).toEqual(['ActivityTaskStarted', 'ActivityTaskCompleted']);
  });

  it('keeps the workflow asleep while the retry policy retries, with the next attempt’s time', () => {
    const events = planActivityOutcome(
      runWithOpenActivity(),
      { scheduledEventId: 5, attempt: 1, outcome: { type: 'failed', failure: failure() } },
      NOW,
    );
    expect(events).toEqual([
      { type: 'ActivityTaskStarted', scheduledEventId: 5, attempt: 1, eventTime: NOW },
      {
        type: 'ActivityTaskFailed',
        scheduledEventId: 5,
        attempt: 1,
        failure: failure(),
        retryState: 'InProgress',
        nextAttemptTime: NOW + 1_000,
      },
    ]);
  });

  it('wakes the workflow on a failure its policy does not retry', () => {
    const events = planActivityOutcome(
      runWithOpenActivity(),
      { scheduledEventId: 5, attempt: 1, outcome: { type: 'failed', failure: failure('IdentityRejected') } },
      NOW,
    );
    expect(events?.[1]).toMatchObject({ type: 'ActivityTaskFailed', retryState: 'NonRetryableFailure' });
    expect(events?.[1]).not.toHaveProperty('nextAttemptTime', expect.anything());
    expect(events?.[2]).toEqual({ type: 'WorkflowTaskScheduled', attempt: 1 });
  });

  it('records a schedule-to-start timeout without a started event and without a retry', () => {
    const events = planActivityOutcome(
      runWithOpenActivity(),
      {
        scheduledEventId: 5,
        attempt: 1,
        outcome: {
          type: 'timedOut',
          timeoutType: 'ScheduleToStart',
          failure: { kind: 'timeout', message: 'late' },
        },
      },
      NOW,
    );
    expect(events?.map((event) => event.type)).toEqual(['ActivityTaskTimedOut', 'WorkflowTaskScheduled']);
    expect(events?.[0]).toMatchObject({ retryState: 'Timeout', timeoutType: 'ScheduleToStart' });
  });

  it('ignores a stale attempt, an unknown activity and a closed run', () => {
    const state = runWithOpenActivity();
    const completed = { type: 'completed', result } as const;
    expect(
      planActivityOutcome(state, { scheduledEventId: 5, attempt: 2, outcome: completed }, NOW),
    ).toBeUndefined();
    expect(
      planActivityOutcome(state, { scheduledEventId: 99, attempt: 1, outcome: completed }, NOW),
    ).toBeUndefined();
    const closed = applyEvents(
      state,
      numberEvents([{ type: 'WorkflowExecutionTerminated', reason: 'test' }], state.nextEventId, NOW),
    );
    expect(closed.status).toBe('Terminated');
    expect(
      planActivityOutcome(closed, { scheduledEventId: 5, attempt: 1, outcome: completed }, NOW),
    ).toBeUndefined();
  });
});

describe('planActivityOutcomes', () => {
  it('plans each outcome on the state the previous leaves: one wake-up, duplicates dropped', () => {
    const completed = { type: 'completed', result } as const;
    const events = planActivityOutcomes(
      runWithOpenActivity(),
      [
        { scheduledEventId: 5, attempt: 1, outcome: completed },
        { scheduledEventId: 5, attempt: 1, outcome: completed },
      ],
      NOW,
    );
    expect(events?.map((event) => event.type)).toEqual([
      'ActivityTaskStarted',
      'ActivityTaskCompleted',
      'WorkflowTaskScheduled',
    ]);
  });

  it('plans nothing when every outcome is stale', () => {
    expect(
      planActivityOutcomes(
        runWithOpenActivity(),
        [{ scheduledEventId: 5, attempt: 3, outcome: { type: 'canceled' } }],
        NOW,
      ),
    ).toBeUndefined();
  });
});

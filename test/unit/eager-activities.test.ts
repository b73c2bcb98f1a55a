// Eager execution's pure decisions: which scheduled activities a workflow task claims, and which
// claims a dead invocation left behind. Events in, events (or outcomes) out.
import { describe, expect, it } from 'vitest';
import { planActivityOutcomes } from '../../sdk/engine/activity-outcome.ts';
import {
  claimEagerActivities,
  EAGER_WINDOW_MS,
  type EagerPolicy,
  holdsEagerClaim,
  ORPHAN_SLACK_MS,
  orphanedEagerAttempts,
  unguardedEagerAttempts,
} from '../../sdk/engine/eager-activities.ts';
import type { ActivityOptionsResolved, EventOf, HistoryEvent } from '../../sdk/engine/events.ts';
import { numberEvents, type PendingEvent } from '../../sdk/engine/pending-events.ts';
import { applyEvents, initialRunState, type RunState } from '../../sdk/engine/run-state.ts';

const T0 = 1_800_000_000_000;
const retry = {
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maximumIntervalMs: 100_000,
  maximumAttempts: 3,
  nonRetryableErrorTypes: [],
};

function started(): RunState {
  return applyEvents(initialRunState('default', 'run-1'), [
    {
      eventId: 1,
      eventTime: T0,
      type: 'WorkflowExecutionStarted',
      workflowType: 'wf',
      workflowId: 'wf-1',
      taskQueue: 'q',
      input: [],
      attempt: 1,
      firstRunId: 'run-1',
      randomSeed: 'seed',
    },
    { eventId: 2, eventTime: T0, type: 'WorkflowTaskScheduled', attempt: 1 },
  ]);
}

function scheduledEvent(
  seq: number,
  options: Partial<ActivityOptionsResolved> = {},
  extra: Partial<EventOf<'ActivityTaskScheduled'>> = {},
): PendingEvent {
  return {
    type: 'ActivityTaskScheduled',
    seq,
    activityId: String(seq),
    activityType: 'step',
    taskQueue: 'q',
    input: [],
    options: { startToCloseMs: 1000, retry, cancellationType: 'TRY_CANCEL', ...options },
    ...extra,
  };
}

/** A workflow task's commit: started, completed, then `commands`' events. */
function taskCommit(state: RunState, bodies: PendingEvent[], now = T0): HistoryEvent[] {
  return numberEvents(
    [
      { type: 'WorkflowTaskStarted', scheduledEventId: 2, attempt: 1 },
      { type: 'WorkflowTaskCompleted', scheduledEventId: 2 },
      ...bodies,
    ],
    state.nextEventId,
    now,
  );
}

const policy: EagerPolicy = {
  taskQueue: 'q',
  max: 2,
  deadline: T0 + 10_000,
  marginMs: 1000,
  runs: (type) => type === 'step',
};

function claim(bodies: PendingEvent[], overrides: Partial<EagerPolicy> = {}, now = T0) {
  const state = started();
  const events = taskCommit(state, bodies, now);
  return claimEagerActivities(events, applyEvents(state, events), { ...policy, ...overrides }, now);
}

describe('claimEagerActivities', () => {
  it('claims activities of its own task queue and registered type, up to max, marking eagerUntil', () => {
    const { events, claimed } = claim([scheduledEvent(1), scheduledEvent(2), scheduledEvent(3)]);
    expect(claimed).toEqual([5, 6]);
    expect(
      events
        .filter((e) => e.type === 'ActivityTaskScheduled')
        .map((e) => (e as EventOf<'ActivityTaskScheduled'>).eagerUntil),
    ).toEqual([T0 + 10_000, T0 + 10_000, undefined]);
  });

  it('leaves other task queues, unregistered types and heartbeating activities to the queue', () => {
    const { claimed } = claim([
      scheduledEvent(1, {}, { taskQueue: 'other' }),
      scheduledEvent(2, {}, { activityType: 'unknown' }),
      scheduledEvent(3, { heartbeatMs: 500 }),
    ]);
    expect(claimed).toEqual([]);
  });

  it('claims only what ends, with the margin, before the invocation does', () => {
    expect(claim([scheduledEvent(1, { startToCloseMs: 9000 })]).claimed).toEqual([5]);
    expect(claim([scheduledEvent(1, { startToCloseMs: 9001 })]).claimed).toEqual([]);
    // Schedule-to-close bounds it too; nothing bounding it: never eager.
    expect(
      claim([scheduledEvent(1, { startToCloseMs: undefined, scheduleToCloseMs: 2000 })]).claimed,
    ).toEqual([5]);
    expect(claim([scheduledEvent(1, { startToCloseMs: undefined })]).claimed).toEqual([]);
    // Later in the invocation, less fits.
    expect(claim([scheduledEvent(1)], {}, T0 + 8001).claimed).toEqual([]);
  });

  it('claims an activity bounded longer than the invocation while the window is left (a 1-minute timeout in a 1-minute worker)', () => {
    const minuteWorker = { deadline: T0 + 60_000 };
    expect(claim([scheduledEvent(1, { startToCloseMs: 60_000 })], minuteWorker).claimed).toEqual([5]);
    const lastChance = T0 + 60_000 - policy.marginMs - EAGER_WINDOW_MS;
    expect(claim([scheduledEvent(1, { startToCloseMs: 60_000 })], minuteWorker, lastChance).claimed).toEqual([
      5,
    ]);
    expect(
      claim([scheduledEvent(1, { startToCloseMs: 60_000 })], minuteWorker, lastChance + 1).claimed,
    ).toEqual([]);
    // A short activity still fits later than the window would allow a long one.
    expect(
      claim([scheduledEvent(1, { startToCloseMs: 2000 })], minuteWorker, lastChance + 1).claimed,
    ).toEqual([5]);
  });

  it('claims nothing with max 0, or when the commit closes the run', () => {
    expect(claim([scheduledEvent(1)], { max: 0 }).claimed).toEqual([]);
    expect(
      claim([scheduledEvent(1), { type: 'WorkflowExecutionCompleted', result: { metadata: {}, data: '' } }])
        .claimed,
    ).toEqual([]);
  });
});

describe('orphaned eager attempts', () => {
  const claimedState = () => {
    const state = started();
    const commit = taskCommit(state, [scheduledEvent(1)]);
    const { events } = claimEagerActivities(commit, applyEvents(state, commit), policy, T0);
    return applyEvents(state, events);
  };

  it('holds a claim until its invocation ends, plus the slack', () => {
    const state = claimedState();
    expect(state.activities[5]?.eagerUntil).toBe(T0 + 10_000);
    expect(holdsEagerClaim(state, T0 + 10_000 + ORPHAN_SLACK_MS)).toBe(true);
    expect(orphanedEagerAttempts(state, T0 + 10_000 + ORPHAN_SLACK_MS)).toEqual([]);
    expect(holdsEagerClaim(state, T0 + 10_001 + ORPHAN_SLACK_MS)).toBe(false);
  });

  it('times an orphaned attempt out as start-to-close, which retries it from the queue', () => {
    const state = claimedState();
    const now = T0 + 60_000;
    const orphans = orphanedEagerAttempts(state, now);
    expect(orphans).toEqual([
      {
        scheduledEventId: 5,
        attempt: 1,
        attemptStartTime: T0,
        outcome: {
          type: 'timedOut',
          timeoutType: 'StartToClose',
          failure: { kind: 'timeout', message: 'StartToClose timeout', timeoutType: 'StartToClose' },
        },
      },
    ]);
    const planned = planActivityOutcomes(state, orphans, now)!;
    expect(planned.map((e) => e.type)).toEqual(['ActivityTaskStarted', 'ActivityTaskTimedOut']);
    const after = applyEvents(state, numberEvents(planned, state.nextEventId, now));
    // The retry is the queue's: no claim left to judge, nothing orphaned twice.
    expect(after.activities[5]).toMatchObject({ attempt: 2 });
    expect(after.activities[5]?.eagerUntil).toBeUndefined();
    expect(orphanedEagerAttempts(after, now + 60_000)).toEqual([]);
  });

  it('guards an orphan whose bound outlasts its invocation with watchdogs, and times it out only once the bound elapsed', () => {
    const state = started();
    const commit = taskCommit(state, [scheduledEvent(1, { startToCloseMs: 600_000 })]);
    const minuteWorker = { ...policy, deadline: T0 + 60_000 };
    const { events, claimed } = claimEagerActivities(commit, applyEvents(state, commit), minuteWorker, T0);
    expect(claimed).toEqual([5]);
    const claimedLong = applyEvents(state, events);
    // Within the claim: neither.
    expect(unguardedEagerAttempts(claimedLong, T0 + 60_000)).toEqual([]);
    // The anchoring message reappears six minutes on: the invocation is gone, the bound is not up.
    expect(orphanedEagerAttempts(claimedLong, T0 + 360_000)).toEqual([]);
    expect(unguardedEagerAttempts(claimedLong, T0 + 360_000)).toEqual([5]);
    // Once the ten minutes have passed it is timed out, as its watchdog would.
    expect(orphanedEagerAttempts(claimedLong, T0 + 600_000).map((o) => o.scheduledEventId)).toEqual([5]);
    expect(unguardedEagerAttempts(claimedLong, T0 + 600_000)).toEqual([]);
  });

  it('judges nothing of a completed attempt or a closed run', () => {
    const state = claimedState();
    const done = applyEvents(
      state,
      numberEvents(
        [
          { type: 'ActivityTaskStarted', scheduledEventId: 5, attempt: 1 },
          {
            type: 'ActivityTaskCompleted',
            scheduledEventId: 5,
            attempt: 1,
            result: { metadata: {}, data: '1' },
          },
        ],
        state.nextEventId,
        T0 + 100,
      ),
    );
    expect(orphanedEagerAttempts(done, T0 + 60_000)).toEqual([]);
    const closed = applyEvents(
      state,
      numberEvents([{ type: 'WorkflowExecutionTerminated', reason: 'x' }], state.nextEventId, T0 + 100),
    );
    expect(orphanedEagerAttempts(closed, T0 + 60_000)).toEqual([]);
  });
});

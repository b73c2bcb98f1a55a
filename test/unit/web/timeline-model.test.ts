import { describe, expect, it } from 'vitest';
import type { EventBody, HistoryEvent } from '../../../sdk/engine/events.ts';
import { buildTimeline } from '../../../web/app/timeline-model.ts';

const failure = {
  kind: 'application' as const,
  message: 'Credit bureau unavailable',
  type: 'BureauUnavailable',
};
const retry = {
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maximumIntervalMs: 100_000,
  maximumAttempts: 3,
  nonRetryableErrorTypes: [],
};

function history(bodies: Array<EventBody & { eventTime: number }>): HistoryEvent[] {
  return bodies.map((body, index) => ({ ...body, eventId: index + 1 }) as HistoryEvent);
}

describe('buildTimeline', () => {
  it('draws an activity with each failed attempt, the wait before each retry, and the attempt that completed', () => {
    const events = history([
      {
        type: 'ActivityTaskScheduled',
        eventTime: 1000,
        seq: 1,
        activityId: '1',
        activityType: 'getCreditScore',
        taskQueue: 'loans',
        input: [],
        options: { retry, cancellationType: 'TRY_CANCEL' },
      },
      {
        type: 'ActivityTaskFailed',
        eventTime: 1100,
        scheduledEventId: 1,
        attempt: 1,
        failure,
        retryState: 'InProgress',
        nextAttemptTime: 2100,
      },
      { type: 'ActivityTaskStarted', eventTime: 2150, scheduledEventId: 1, attempt: 2 },
      {
        type: 'ActivityTaskCompleted',
        eventTime: 2300,
        scheduledEventId: 1,
        attempt: 2,
        result: { metadata: { encoding: 'json/plain' }, data: '742' },
      },
    ]);
    const [row] = buildTimeline(events).rows;
    expect(row).toMatchObject({ kind: 'activity', name: 'getCreditScore', outcome: 'completed' });
    expect(row!.segments).toEqual([
      { start: 1000, end: 1100, state: 'failed', label: 'attempt 1 failed' },
      { start: 1100, end: 2100, state: 'waiting', label: 'waiting to retry' },
      { start: 2100, end: 2300, state: 'completed', label: 'attempt 2 completed' },
    ]);
    expect(row!.notes).toHaveLength(1);
    expect(row!.notes[0]).toMatch(
      /^attempt 1 failed: BureauUnavailable: Credit bureau unavailable · next retry at /,
    );
  });

  it('keeps a retry that is still waiting open, and marks an activity that gave up as failed', () => {
    const events = history([
      {
        type: 'ActivityTaskScheduled',
        eventTime: 0,
        seq: 1,
        activityId: '1',
        activityType: 'a',
        taskQueue: 'q',
        input: [],
        options: { retry, cancellationType: 'TRY_CANCEL' },
      },
      {
        type: 'ActivityTaskFailed',
        eventTime: 10,
        scheduledEventId: 1,
        attempt: 1,
        failure,
        retryState: 'InProgress',
        nextAttemptTime: 1010,
      },
      {
        type: 'ActivityTaskScheduled',
        eventTime: 20,
        seq: 2,
        activityId: '2',
        activityType: 'b',
        taskQueue: 'q',
        input: [],
        options: { retry, cancellationType: 'TRY_CANCEL' },
      },
      {
        type: 'ActivityTaskFailed',
        eventTime: 30,
        scheduledEventId: 3,
        attempt: 1,
        failure,
        retryState: 'NonRetryableFailure',
      },
    ]);
    const [waiting, failed] = buildTimeline(events).rows;
    expect(waiting!.outcome).toBe('open');
    expect(waiting!.segments.at(-1)).toEqual({ start: 1010, state: 'open', label: 'attempt 2' });
    expect(failed!.outcome).toBe('failed');
    expect(failed!.notes[0]).toMatch(/\(NonRetryableFailure\)$/);
  });

  it('draws timers, children and updates, and marks signals', () => {
    const events = history([
      { type: 'TimerStarted', eventTime: 0, seq: 1, durationMs: 86_400_000, fireTime: 86_400_000 },
      {
        type: 'StartChildWorkflowExecutionInitiated',
        eventTime: 5,
        seq: 1,
        workflowId: 'child-1',
        workflowType: 'kid',
        taskQueue: 'q',
        input: [],
        parentClosePolicy: 'TERMINATE',
      },
      { type: 'ChildWorkflowExecutionStarted', eventTime: 6, initiatedEventId: 2, seq: 1, runId: 'run-c' },
      { type: 'WorkflowExecutionSignaled', eventTime: 7, signalName: 'decide', input: [] },
      {
        type: 'WorkflowExecutionUpdateAccepted',
        eventTime: 8,
        updateId: 'u1',
        updateName: 'rename',
        input: [],
      },
      {
        type: 'WorkflowExecutionUpdateCompleted',
        eventTime: 9,
        updateId: 'u1',
        acceptedEventId: 5,
        outcome: { failure },
      },
      { type: 'TimerFired', eventTime: 86_400_000, startedEventId: 1, seq: 1 },
    ]);
    const timeline = buildTimeline(events);
    expect(timeline.rows.map((row) => [row.kind, row.outcome])).toEqual([
      ['timer', 'fired'],
      ['child', 'open'],
      ['update', 'failed'],
    ]);
    expect(timeline.rows[0]!.due).toBe(86_400_000);
    expect(timeline.rows[1]!.child).toEqual({ workflowId: 'child-1', runId: 'run-c' });
    expect(timeline.marks).toEqual([{ eventId: 4, time: 7, label: 'signal decide' }]);
  });
});

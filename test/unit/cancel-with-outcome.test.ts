// A cancellation and the outcome of what it would cancel can reach the workflow in one activation
// (the activity's result committed while the run's workflow task waited, then the cancel request).
// Handlers go first, so the cancellation is applied before the outcome: it must leave the finished
// activity or timer be, not command a cancel of something no longer open (a workflow task that
// fails on every retry).
import { describe, expect, it } from 'vitest';
import { defaultStoredConverter } from '../../sdk/common/json-payload-converter.ts';
import type { EventOf, HistoryEvent } from '../../sdk/engine/events.ts';
import { Replayer } from '../../sdk/engine/replayer.ts';
import { awaitsTimer, awaitsWork } from './workflows/cancel-race.ts';

const workflows = { awaitsTimer, awaitsWork };

const T = 1_800_000_000_000;
const result = defaultStoredConverter.toPayload('done');

function started(workflowType: string): EventOf<'WorkflowExecutionStarted'> {
  return {
    type: 'WorkflowExecutionStarted',
    workflowType,
    workflowId: 'race',
    taskQueue: 'q',
    input: [],
    attempt: 1,
    firstRunId: 'run-1',
    randomSeed: 'run-1',
    eventId: 1,
    eventTime: T,
  } as EventOf<'WorkflowExecutionStarted'>;
}

/** Runs the first workflow task, commits its command, then activates on `then`. */
async function activateAfter(
  workflowType: keyof typeof workflows,
  scheduled: (eventId: number) => HistoryEvent,
  then: (scheduledEventId: number) => HistoryEvent[],
) {
  const first = started(workflowType);
  const replayer = new Replayer(first, {
    namespace: 'default',
    runId: 'run-1',
    workflowFn: workflows[workflowType],
    converter: defaultStoredConverter,
  });
  await replayer.replay([
    first,
    { type: 'WorkflowTaskScheduled', attempt: 1, eventId: 2, eventTime: T } as HistoryEvent,
  ]);
  const one = await replayer.activateNew(T, 3);
  expect(one.commands).toHaveLength(1);
  replayer.commit(
    [
      { type: 'WorkflowTaskStarted', scheduledEventId: 2, attempt: 1, eventId: 3, eventTime: T },
      { type: 'WorkflowTaskCompleted', scheduledEventId: 2, eventId: 4, eventTime: T },
      scheduled(5),
    ] as HistoryEvent[],
    one.commands,
  );
  const events = then(5);
  await replayer.replay(events);
  const next = events.at(-1)!.eventId + 1;
  return replayer.activateNew(T + 1000, next);
}

const cancelRequested = (eventId: number) =>
  ({ type: 'WorkflowExecutionCancelRequested', eventId, eventTime: T + 1 }) as HistoryEvent;
const activityScheduled = (eventId: number) =>
  ({
    type: 'ActivityTaskScheduled',
    seq: 1,
    activityType: 'work',
    activityId: '1',
    taskQueue: 'q',
    input: [],
    options: { startToCloseMs: 60_000 },
    eventId,
    eventTime: T,
  }) as unknown as HistoryEvent;
const taskScheduled = (eventId: number) =>
  ({ type: 'WorkflowTaskScheduled', attempt: 1, eventId, eventTime: T + 1 }) as HistoryEvent;

describe('a cancellation in the same activation as the outcome it would cancel', () => {
  it('leaves a completed activity be: its result reaches the code, no cancel command', async () => {
    const activation = await activateAfter('awaitsWork', activityScheduled, (scheduledEventId) => [
      {
        type: 'ActivityTaskCompleted',
        scheduledEventId,
        attempt: 1,
        result,
        eventId: 6,
        eventTime: T + 1,
      } as HistoryEvent,
      cancelRequested(7),
      taskScheduled(8),
    ]);
    expect(activation.commands.map((command) => command.type)).not.toContain('RequestCancelActivityTask');
    expect(activation.commands).toContainEqual(
      expect.objectContaining({ type: 'CompleteWorkflowExecution', result }),
    );
  });

  it('leaves a fired timer be: the code sees it fire, no cancel command', async () => {
    const activation = await activateAfter(
      'awaitsTimer',
      (eventId) =>
        ({
          type: 'TimerStarted',
          seq: 1,
          durationMs: 60_000,
          fireTime: T + 60_000,
          eventId,
          eventTime: T,
        }) as unknown as HistoryEvent,
      (startedEventId) => [
        { type: 'TimerFired', startedEventId, seq: 1, eventId: 6, eventTime: T + 60_000 } as HistoryEvent,
        cancelRequested(7),
        taskScheduled(8),
      ],
    );
    expect(activation.commands.map((command) => command.type)).not.toContain('CancelTimer');
    expect(activation.commands).toContainEqual(
      expect.objectContaining({
        type: 'CompleteWorkflowExecution',
        result: defaultStoredConverter.toPayload('fired'),
      }),
    );
  });

  it('still cancels an activity that has not finished', async () => {
    const activation = await activateAfter('awaitsWork', activityScheduled, () => [
      cancelRequested(6),
      taskScheduled(7),
    ]);
    expect(activation.commands.map((command) => command.type)).toContain('RequestCancelActivityTask');
  });
});

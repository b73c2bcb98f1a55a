import type { WorkflowTaskFailureRecord } from '../backend/ports.ts';
import type { RunOutcome } from '../common/wire/outcome.ts';
import type { WorkflowTaskFailure } from '../common/wire/workflow-task-failure.ts';
import type { HistoryEvent } from '../engine/events.ts';
import { isClosed, type RunState } from '../engine/run-state.ts';

export type { RunOutcome };

/** A run's current workflow-task failure as a waiting `result` reports it (the API's shape). */
export type CurrentTaskFailure = WorkflowTaskFailure;

/** Waits until `done()` holds or the wait is over; the transport decides how (poll, or time skipping). */
export type Waiter = (done: () => Promise<boolean>, waitMs: number) => Promise<void>;

/** Polls with real timers: the default for servers. */
export const pollingWaiter: Waiter = async (done, waitMs) => {
  const deadline = Date.now() + waitMs;
  let interval = 20;
  while (!(await done()) && Date.now() < deadline) {
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(interval, Math.max(1, deadline - Date.now()))),
    );
    // Capped low: a client waiting on a result should learn of the close within ~0.1 s.
    interval = Math.min(interval * 2, 100);
  }
};

/** The close event's outcome. */
export function outcomeOf(state: RunState, close: HistoryEvent | undefined): RunOutcome {
  const runId = state.runId;
  switch (close?.type) {
    case 'WorkflowExecutionCompleted':
      return { status: 'Completed', runId, result: close.result };
    case 'WorkflowExecutionContinuedAsNew':
      return { status: 'ContinuedAsNew', runId, newRunId: close.newRunId };
    case 'WorkflowExecutionFailed':
      return { status: 'Failed', runId, failure: close.failure };
    case 'WorkflowExecutionCanceled':
      return { status: 'Canceled', runId, failure: { kind: 'cancelled', message: 'Workflow cancelled' } };
    case 'WorkflowExecutionTerminated':
      return {
        status: 'Terminated',
        runId,
        failure: { kind: 'terminated', message: close.reason ?? 'Workflow terminated' },
      };
    case 'WorkflowExecutionTimedOut':
      return {
        status: 'TimedOut',
        runId,
        failure: {
          kind: 'timeout',
          message: `Workflow ${close.timeoutType.toLowerCase()} timeout`,
          timeoutType: 'StartToClose',
        },
      };
    default:
      return { status: 'Running', runId };
  }
}

/**
 * The failure record that still explains the run, if any: only a failure of the task that is still
 * pending is news (a later success supersedes it); a dead-lettered task stays news until an
 * operator redrives it, and a task set aside for want of a worker while its work is still open.
 */
export function currentTaskFailure(
  state: RunState,
  record: WorkflowTaskFailureRecord | undefined,
): WorkflowTaskFailureRecord | undefined {
  if (!record || isClosed(state)) return undefined;
  switch (record.cause) {
    case 'DeadLettered':
      return record;
    case 'UnknownTaskQueue':
      return state.activities[record.eventId] !== undefined ||
        state.workflowTask?.scheduledEventId === record.eventId
        ? record
        : undefined;
    default:
      return record.eventId === state.workflowTask?.scheduledEventId ? record : undefined;
  }
}

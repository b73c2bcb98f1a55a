import type { HistoryPage, RunSummary, WorkflowTaskFailureRecord } from '../backend/ports.ts';
import { summarizeRun } from '../backend/run-summary.ts';
import { InvalidArgumentError, QueryRejectedError } from '../common/errors.ts';
import type { FailureInfo } from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import type { HistoryEvent } from '../engine/events.ts';
import { isClosed, type PendingActivity, type RunState } from '../engine/run-state.ts';
import {
  type ActivityOutcome,
  commitActivityOutcome,
  decodeTaskToken,
  recordHeartbeat,
} from './activity-task.ts';
import { readFullHistory } from './commit.ts';
import type { RuntimeDeps } from './deps.ts';
import { requestCancelWorkflow, resolveRun, signalWorkflow, terminateWorkflow } from './run-control.ts';
import { type StartRequest, type StartResult, startWorkflow } from './start-workflow.ts';
import { parseVisibilityQuery } from './visibility-query.ts';

/** What `describe` returns. */
export interface WorkflowDescription extends RunSummary {
  cancelRequested: boolean;
  pendingActivities: (Pick<PendingActivity, 'activityId' | 'activityType' | 'attempt' | 'taskQueue'> & {
    scheduledEventId: number;
    scheduledTime: number;
    lastFailure?: FailureInfo;
    nextAttemptTime?: number;
  })[];
  pendingWorkflowTask: boolean;
  /** Why the pending workflow task keeps failing (e.g. a determinism violation), if it does. */
  workflowTaskFailure?: WorkflowTaskFailureRecord;
  continuedAsNewRunId?: string;
}

/** How a run ended, as `result` reports it. */
export type RunOutcome =
  | { status: 'Running'; runId: string }
  | { status: 'Completed'; runId: string; result: Payload }
  | { status: 'ContinuedAsNew'; runId: string; newRunId: string }
  | { status: 'Failed' | 'Canceled' | 'Terminated' | 'TimedOut'; runId: string; failure: FailureInfo };

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
function outcomeOf(state: RunState, close: HistoryEvent | undefined): RunOutcome {
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

/** Upper bound of one long poll, under API Gateway's 29 s request limit. */
export const MAX_WAIT_MS = 20_000;

/**
 * The operations of the HTTP API, transport-free: the API handler maps routes onto these, and the
 * time-skipping environment's client calls them in-process.
 */
export class WorkflowService {
  constructor(
    private readonly deps: RuntimeDeps,
    private readonly waiter: Waiter = pollingWaiter,
  ) {}

  start(request: StartRequest): Promise<StartResult> {
    return startWorkflow(this.deps, request);
  }

  async describe(namespace: string, workflowId: string, runId?: string): Promise<WorkflowDescription> {
    const { state } = await resolveRun(this.deps, namespace, workflowId, runId);
    const failure = await this.deps.store.getWorkflowTaskFailure(namespace, state.runId);
    return {
      ...summarizeRun(state),
      cancelRequested: state.cancelRequested,
      pendingActivities: Object.entries(state.activities).map(([id, activity]) => ({
        scheduledEventId: Number(id),
        activityId: activity.activityId,
        activityType: activity.activityType,
        attempt: activity.attempt,
        taskQueue: activity.taskQueue,
        scheduledTime: activity.scheduledTime,
        lastFailure: activity.lastFailure,
        nextAttemptTime: activity.nextAttemptTime,
      })),
      pendingWorkflowTask: state.workflowTask !== null,
      // Only a failure of the task that is still pending is news (a later success supersedes it);
      // a dead-lettered task stays news until an operator redrives it.
      workflowTaskFailure:
        failure &&
        !isClosed(state) &&
        (failure.cause === 'DeadLettered' || failure.eventId === state.workflowTask?.scheduledEventId)
          ? failure
          : undefined,
      continuedAsNewRunId: state.continuedAsNewRunId,
    };
  }

  async history(
    namespace: string,
    workflowId: string,
    runId?: string,
    pageToken?: string,
  ): Promise<HistoryPage & { runId: string }> {
    const { state } = await resolveRun(this.deps, namespace, workflowId, runId);
    const page = await this.deps.store.readHistory(namespace, state.runId, 1, pageToken);
    return { ...page, runId: state.runId };
  }

  /** The run's outcome, waiting up to `waitMs` for it to close. */
  async result(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    waitMs: number,
  ): Promise<RunOutcome> {
    if (!(waitMs >= 0)) throw new InvalidArgumentError('waitSeconds must be a number ≥ 0');
    const { ref } = await resolveRun(this.deps, namespace, workflowId, runId);
    let state: RunState | undefined;
    await this.waiter(
      async () => {
        state = await this.deps.store.getRun(namespace, ref.runId);
        return state !== undefined && isClosed(state);
      },
      Math.min(waitMs, MAX_WAIT_MS),
    );
    if (!state || !isClosed(state)) return { status: 'Running', runId: ref.runId };
    const tail = await readFullHistory(this.deps, namespace, ref.runId, state.nextEventId - 1);
    return outcomeOf(state, tail.at(-1));
  }

  async signal(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    signalName: string,
    input: Payload[],
  ) {
    const { ref } = await resolveRun(this.deps, namespace, workflowId, runId);
    await signalWorkflow(this.deps, ref, signalName, input);
  }

  /** Signal-with-start: signals the running workflow, or starts it with the signal. */
  signalWithStart(
    request: StartRequest & { signal: { name: string; input: Payload[] } },
  ): Promise<StartResult> {
    return startWorkflow(this.deps, request);
  }

  async cancel(namespace: string, workflowId: string, runId?: string, reason?: string) {
    const { ref } = await resolveRun(this.deps, namespace, workflowId, runId);
    await requestCancelWorkflow(this.deps, ref, reason);
  }

  async terminate(namespace: string, workflowId: string, runId?: string, reason?: string) {
    const { ref } = await resolveRun(this.deps, namespace, workflowId, runId);
    await terminateWorkflow(this.deps, ref, reason);
  }

  async query(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    queryName: string,
    input: Payload[],
  ) {
    const { ref, state } = await resolveRun(this.deps, namespace, workflowId, runId);
    const response = await this.deps.invoker.invoke(state.taskQueue, {
      kind: 'query',
      ref,
      queryName,
      input,
    });
    if (response.kind !== 'query')
      throw new QueryRejectedError(`Worker gave no answer to query '${queryName}'`);
    return response.result;
  }

  /** Runs an update: validated by the workflow's validator, then applied; waits for its result. */
  async update(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    updateName: string,
    input: Payload[],
    updateId: string = this.deps.newId(),
    waitMs = MAX_WAIT_MS,
  ): Promise<{ updateId: string; outcome?: { result: Payload } | { failure: FailureInfo } }> {
    const { ref, state } = await resolveRun(this.deps, namespace, workflowId, runId);
    if (state.completedUpdates[updateId] === undefined) {
      const response = await this.deps.invoker.invoke(state.taskQueue, {
        kind: 'update',
        ref,
        updateId,
        updateName,
        input,
      });
      // A rejection is an outcome: the client raises WorkflowUpdateFailedError with it as the cause.
      if (response.kind === 'update' && !response.accepted)
        return { updateId, outcome: { failure: response.failure } };
    }
    let outcome: { result: Payload } | { failure: FailureInfo } | undefined;
    await this.waiter(
      async () => {
        outcome = await this.updateOutcome(namespace, ref.runId, updateId);
        return outcome !== undefined;
      },
      Math.min(waitMs, MAX_WAIT_MS),
    );
    return { updateId, outcome };
  }

  private async updateOutcome(
    namespace: string,
    runId: string,
    updateId: string,
  ): Promise<{ result: Payload } | { failure: FailureInfo } | undefined> {
    const state = await this.deps.store.getRun(namespace, runId);
    const acceptedEventId = state?.completedUpdates[updateId];
    if (!state || acceptedEventId === undefined) return undefined;
    if (state.updates[updateId] === undefined) {
      const events = await readFullHistory(this.deps, namespace, runId, acceptedEventId);
      for (const event of events) {
        if (event.type === 'WorkflowExecutionUpdateCompleted' && event.updateId === updateId)
          return event.outcome;
      }
    }
    // Accepted, but the run closed before the handler finished: it never will (as Temporal answers).
    if (isClosed(state)) {
      return {
        failure: {
          kind: 'application',
          type: 'AcceptedUpdateCompletedWorkflow',
          nonRetryable: true,
          message: `Workflow ${state.status.toLowerCase()} before the update completed`,
        },
      };
    }
    return undefined;
  }

  async list(namespace: string, query: string | undefined, pageSize = 100, pageToken?: string) {
    const matches = parseVisibilityQuery(query);
    if (!(pageSize >= 1 && pageSize <= 1000))
      throw new InvalidArgumentError('pageSize must be between 1 and 1000');
    return this.deps.store.listRuns(namespace, matches, pageSize, pageToken);
  }

  /** Completes (or fails) an activity that threw `CompleteAsyncError`, by its task token. */
  async completeActivity(namespace: string, taskToken: string, outcome: ActivityOutcome) {
    const attempt = decodeTaskToken(taskToken);
    if (attempt.namespace !== namespace)
      throw new InvalidArgumentError('Task token belongs to another namespace');
    const state = await this.deps.store.getRun(namespace, attempt.runId);
    if (
      !state?.activities[attempt.scheduledEventId] ||
      state.activities[attempt.scheduledEventId]!.attempt !== attempt.attempt
    ) {
      throw new InvalidArgumentError(
        'Activity of this task token is no longer open (completed, timed out or retried)',
      );
    }
    await commitActivityOutcome(this.deps, undefined, attempt, outcome);
  }

  /** Records a heartbeat of an async activity; returns whether cancellation was requested. */
  async heartbeatActivity(
    namespace: string,
    taskToken: string,
    details?: Payload,
  ): Promise<{ cancelRequested: boolean }> {
    const attempt = decodeTaskToken(taskToken);
    if (attempt.namespace !== namespace)
      throw new InvalidArgumentError('Task token belongs to another namespace');
    return { cancelRequested: await recordHeartbeat(this.deps, undefined, attempt, undefined, details) };
  }
}

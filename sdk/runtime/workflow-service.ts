import type { WorkflowTaskFailureRecord } from '../backend/ports.ts';
import { summarizeRun } from '../backend/run-summary.ts';
import { InvalidArgumentError, QueryRejectedError, UnknownTaskQueueError } from '../common/errors.ts';
import type { Payload } from '../common/payload.ts';
import type { DeadLetterFilter, DeadLetterPage, RedriveResult } from '../common/wire/dead-letters.ts';
import type { WorkflowDescription } from '../common/wire/description.ts';
import type { HistoryPage } from '../common/wire/history-page.ts';
import { MAX_WAIT_MS } from '../common/wire/limits.ts';
import type { UpdateResponse } from '../common/wire/messages.ts';
import type { RunPage } from '../common/wire/run-summary.ts';
import type { WorkflowServiceApi } from '../common/wire/service.ts';
import type {
  UpdatePollResponse,
  UpdateWithStartRequest,
  UpdateWithStartResult,
} from '../common/wire/update-with-start.ts';
import type { ActivityOutcome } from '../engine/activity-outcome.ts';
import { isClosed, type RunState } from '../engine/run-state.ts';
import { recordHeartbeat } from './activity-heartbeat.ts';
import { commitActivityOutcome } from './activity-outcomes.ts';
import { readFullHistory } from './commit.ts';
import { listDeadLetters, redriveDeadLetters } from './dead-letter-service.ts';
import type { RuntimeDeps } from './deps.ts';
import { runFirstWorkflowTaskNow } from './eager-start.ts';
import { ResultWatch } from './result-watch.ts';
import { requestCancelWorkflow, resolveRun, signalWorkflow, terminateWorkflow } from './run-control.ts';
import {
  type CurrentTaskFailure,
  currentTaskFailure,
  outcomeOf,
  pollingWaiter,
  type RunOutcome,
  type Waiter,
} from './run-outcome.ts';
import { runRefOf } from './run-ref.ts';
import { ScheduleService } from './schedule/schedule-service.ts';
import { type StartRequest, type StartResult, startWorkflow } from './start-workflow.ts';
import { decodeTaskToken } from './task-token.ts';
import { updateWithStart } from './update-with-start.ts';
import { parseVisibilityQuery } from './visibility-query.ts';
import { type UpdateStatus, waitForUpdate } from './workflow-updates.ts';

export type { CurrentTaskFailure, RunOutcome, Waiter, WorkflowDescription };
export { MAX_WAIT_MS, pollingWaiter };

/** How a service waits and what it knows of its engine. */
export interface WorkflowServiceOptions {
  waiter?: Waiter;
  /**
   * Whether a workflow-task failure will never heal in this engine, so a waiting `result` should
   * stop waiting (asked once per waiting call and failure; it may try the task again to find out).
   * Servers say no: a deploy can fix the code. The time-skipping environment says yes when the
   * task fails again with the code as it is now. @default never
   */
  confirmFinalTaskFailure?: (state: RunState, failure: WorkflowTaskFailureRecord) => Promise<boolean>;
  /** How often a waiting `result` reads the run's workflow-task failure. @default 1000 */
  failurePollMs?: number;
  /**
   * Bounds a `result` wait below what the client asked for, and tells the client, in an open run's
   * answer, how long to pause before it asks again (`retryAfterMs`): a server that pays per
   * invocation-second (Lambda) answers briefly instead of holding an invocation per waiting client.
   * A young run is asked about again sooner: the pause is half the run's age, at least
   * `minRetryAfterMs` and at most `retryAfterMs`, so a workflow that closes within a few hundred
   * milliseconds is learned of about as soon, for a few more brief polls in its first half second.
   * @default no bound beyond MAX_WAIT_MS (in-process environments wait cheaply)
   */
  resultWait?: { maxWaitMs: number; retryAfterMs: number; minRetryAfterMs?: number };
}

/** How long a client waiting on `state`'s run pauses before it asks again (see `resultWait`). */
function retryAfterFor(
  bound: NonNullable<WorkflowServiceOptions['resultWait']>,
  state: RunState | undefined,
  now: number,
): number {
  const age = state ? now - state.startTime : Number.POSITIVE_INFINITY;
  const floor = bound.minRetryAfterMs ?? bound.retryAfterMs;
  return Math.round(Math.min(bound.retryAfterMs, Math.max(floor, age / 2)));
}

/**
 * The operations of the HTTP API, transport-free: the API handler maps routes onto these, and the
 * time-skipping environment's client calls them in-process.
 */
export class WorkflowService extends ScheduleService implements WorkflowServiceApi {
  private readonly waiter: Waiter;
  private readonly confirmFinalTaskFailure: WorkflowServiceOptions['confirmFinalTaskFailure'];
  private readonly failurePollMs: number;
  private readonly resultWait: WorkflowServiceOptions['resultWait'];

  constructor(
    private readonly deps: RuntimeDeps,
    options: WorkflowServiceOptions | Waiter = {},
  ) {
    super(deps);
    const resolved = typeof options === 'function' ? { waiter: options } : options;
    this.waiter = resolved.waiter ?? pollingWaiter;
    this.confirmFinalTaskFailure = resolved.confirmFinalTaskFailure;
    this.failurePollMs = resolved.failurePollMs ?? 1000;
    this.resultWait = resolved.resultWait;
  }

  async start(request: StartRequest): Promise<StartResult> {
    this.checkTaskQueue(request.taskQueue);
    return this.startEagerly(request, await startWorkflow(this.deps, request));
  }

  /** Eager start: runs a new run's first workflow task on its worker before answering. */
  private async startEagerly(request: StartRequest, result: StartResult): Promise<StartResult> {
    if (!request.requestEagerStart || !result.started) return result;
    const ref = { namespace: request.namespace, workflowId: request.workflowId, runId: result.runId };
    const eagerlyStarted = await runFirstWorkflowTaskNow(this.deps, request.taskQueue, ref);
    return { ...result, eagerlyStarted };
  }

  /**
   * A start on a task queue no worker serves would wait for ever: refuse it when the engine knows
   * its workers' task queues (the cloud and the local stack do; the time-skipping environment
   * leaves them open, since a Worker may be created after the start).
   */
  private checkTaskQueue(taskQueue: string): void {
    const known = this.deps.knownTaskQueues;
    if (known && !known.includes(taskQueue)) throw new UnknownTaskQueueError(taskQueue, known);
  }

  async describe(namespace: string, workflowId: string, runId?: string): Promise<WorkflowDescription> {
    const { state } = await resolveRun(this.deps, namespace, workflowId, runId);
    const failure = await this.deps.store.getWorkflowTaskFailure(namespace, state.runId);
    const closed = isClosed(state) ? await this.closeOutcome(state) : undefined;
    return {
      ...summarizeRun(state),
      cancelRequested: state.cancelRequested,
      pendingActivities: await Promise.all(
        Object.entries(state.activities).map(async ([id, activity]) => ({
          scheduledEventId: Number(id),
          activityId: activity.activityId,
          activityType: activity.activityType,
          attempt: activity.attempt,
          taskQueue: activity.taskQueue,
          scheduledTime: activity.scheduledTime,
          lastFailure: activity.lastFailure,
          nextAttemptTime: activity.nextAttemptTime,
          ...(await this.lastHeartbeat(namespace, state.runId, Number(id))),
        })),
      ),
      pendingWorkflowTask: state.workflowTask !== null,
      workflowTaskFailure: currentTaskFailure(state, failure),
      failure: closed && 'failure' in closed ? closed.failure : undefined,
      continuedAsNewRunId: state.continuedAsNewRunId,
    };
  }

  /** An activity's last heartbeat, of this attempt or (what the next attempt resumes from) an earlier one. */
  private async lastHeartbeat(namespace: string, runId: string, scheduledEventId: number) {
    const heartbeat = await this.deps.store.getHeartbeat(namespace, runId, scheduledEventId);
    if (!heartbeat) return {};
    return { heartbeatDetails: heartbeat.details, lastHeartbeatTime: heartbeat.time };
  }

  async history(
    namespace: string,
    workflowId: string,
    runId?: string,
    pageToken?: string,
  ): Promise<HistoryPage> {
    const { state } = await resolveRun(this.deps, namespace, workflowId, runId);
    const page = await this.deps.store.readHistory(namespace, state.runId, 1, pageToken);
    return { ...page, runId: state.runId };
  }

  /**
   * The run's outcome, waiting up to `waitMs` for it to close. While it is open, the answer carries
   * the run's current workflow-task failure, so a waiting caller can say why nothing happens; given
   * `reportedFailureTime` (the `time` of the last failure the caller reported), the wait also ends
   * as soon as a newer failure is recorded.
   */
  async result(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    waitMs: number,
    options: { reportedFailureTime?: number } = {},
  ): Promise<RunOutcome> {
    if (!(waitMs >= 0)) throw new InvalidArgumentError('waitSeconds must be a number ≥ 0');
    const { ref, state } = await resolveRun(this.deps, namespace, workflowId, runId);
    const watch = new ResultWatch(
      this.deps,
      ref,
      {
        reportedFailureTime: options.reportedFailureTime,
        failurePollMs: this.failurePollMs,
        confirmFinal: this.confirmFinalTaskFailure,
      },
      state,
    );
    const bound = this.resultWait;
    await this.waiter(() => watch.check(), Math.min(waitMs, MAX_WAIT_MS, bound?.maxWaitMs ?? MAX_WAIT_MS));
    if (watch.state && isClosed(watch.state)) return this.closeOutcome(watch.state);
    const workflowTaskFailure = await watch.currentFailure();
    if (watch.state && isClosed(watch.state)) return this.closeOutcome(watch.state);
    const retryAfterMs = bound && retryAfterFor(bound, watch.state, this.deps.clock.now());
    return { status: 'Running', runId: ref.runId, workflowTaskFailure, retryAfterMs };
  }

  /** A closed run's outcome, from its close event. */
  private async closeOutcome(state: RunState): Promise<RunOutcome> {
    const tail = await readFullHistory(this.deps, state.namespace, state.runId, state.nextEventId - 1);
    return outcomeOf(state, tail.at(-1));
  }

  async signal(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    signalName: string,
    input: Payload[],
    requestId?: string,
  ) {
    const { ref } = await resolveRun(this.deps, namespace, workflowId, runId);
    await signalWorkflow(this.deps, ref, signalName, input, { requestId });
  }

  /** Signal-with-start: signals the running workflow, or starts it with the signal. */
  async signalWithStart(
    request: StartRequest & { signal: { name: string; input: Payload[] } },
  ): Promise<StartResult> {
    this.checkTaskQueue(request.taskQueue);
    return this.startEagerly(request, await startWorkflow(this.deps, request));
  }

  async cancel(namespace: string, workflowId: string, runId?: string, reason?: string, requestId?: string) {
    const { ref } = await resolveRun(this.deps, namespace, workflowId, runId);
    await requestCancelWorkflow(this.deps, ref, reason, requestId);
  }

  async terminate(
    namespace: string,
    workflowId: string,
    runId?: string,
    reason?: string,
    requestId?: string,
  ) {
    const { ref } = await resolveRun(this.deps, namespace, workflowId, runId);
    await terminateWorkflow(this.deps, ref, reason, requestId);
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
  ): Promise<UpdateResponse> {
    const { state } = await resolveRun(this.deps, namespace, workflowId, runId);
    return this.sendUpdate(state, updateName, input, updateId, waitMs);
  }

  private async sendUpdate(
    state: RunState,
    updateName: string,
    input: Payload[],
    updateId: string,
    waitMs: number,
  ): Promise<UpdateResponse> {
    const ref = runRefOf(state);
    // A known id (accepted, or admitted by update-with-start) is waited for, never offered again.
    if (state.completedUpdates[updateId] === undefined && state.admittedUpdates?.[updateId] === undefined) {
      const response = await this.deps.invoker.invoke(state.taskQueue, {
        kind: 'update',
        ref,
        updateId,
        updateName,
        input,
      });
      // A rejection is an outcome: the client raises WorkflowUpdateFailedError with it as the cause.
      if (response.kind === 'update' && !response.accepted)
        return { updateId, runId: ref.runId, stage: 'COMPLETED', outcome: { failure: response.failure } };
    }
    const status = await waitForUpdate(
      this.deps,
      this.waiter,
      ref,
      updateId,
      'COMPLETED',
      Math.min(waitMs, MAX_WAIT_MS),
    );
    return { updateId, runId: ref.runId, stage: stageOf(status), outcome: status.outcome };
  }

  async pollUpdate(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    updateId: string,
    waitForStage: 'ACCEPTED' | 'COMPLETED',
    waitMs = MAX_WAIT_MS,
  ): Promise<UpdatePollResponse> {
    if (waitForStage !== 'ACCEPTED' && waitForStage !== 'COMPLETED')
      throw new InvalidArgumentError('waitForStage must be ACCEPTED or COMPLETED');
    const { ref } = await resolveRun(this.deps, namespace, workflowId, runId);
    const status = await waitForUpdate(
      this.deps,
      this.waiter,
      ref,
      updateId,
      waitForStage,
      Math.min(waitMs, MAX_WAIT_MS),
    );
    return { updateId, runId: ref.runId, stage: stageOf(status), outcome: status.outcome };
  }

  updateWithStart(request: UpdateWithStartRequest): Promise<UpdateWithStartResult> {
    this.checkTaskQueue(request.start.taskQueue);
    return updateWithStart(
      this.deps,
      this.waiter,
      (run, updateId, waitMs) =>
        this.sendUpdate(run, request.update.name, request.update.input, updateId, waitMs),
      request,
    );
  }

  async list(
    namespace: string,
    query: string | undefined,
    pageSize = 100,
    pageToken?: string,
  ): Promise<RunPage> {
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

  /** What waits in the dead-letter queues for the namespace, with why (`cairn dlq list`). */
  listDeadLetters(namespace: string, filter?: DeadLetterFilter): Promise<DeadLetterPage> {
    return listDeadLetters(this.deps, namespace, filter);
  }

  /** Puts set-aside work back (`cairn dlq redrive`). */
  redriveDeadLetters(namespace: string, filter?: DeadLetterFilter): Promise<RedriveResult> {
    return redriveDeadLetters(this.deps, namespace, filter);
  }
}

/** A known update's stage (an unknown one never gets this far: waitForUpdate throws). */
function stageOf(status: UpdateStatus): 'ADMITTED' | 'ACCEPTED' | 'COMPLETED' {
  return status.stage === 'UNKNOWN' ? 'ADMITTED' : status.stage;
}

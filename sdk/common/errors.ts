import type { CairnFailure } from './failures.ts';

/**
 * Base of Cairn's local errors. `code` is stable: the HTTP API maps it to a status code and
 * clients map it back to the same class.
 */
export class CairnError extends Error {
  readonly code: string = 'Internal';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad input: a malformed request, an unknown option, an impossible value. */
export class InvalidArgumentError extends CairnError {
  override readonly name = 'InvalidArgumentError';
  override readonly code = 'InvalidArgument';
}

/** No workflow with this id (and run id) exists in the namespace. */
export class WorkflowNotFoundError extends CairnError {
  override readonly name = 'WorkflowNotFoundError';
  override readonly code = 'WorkflowNotFound';
  constructor(
    message: string,
    readonly workflowId: string,
    readonly runId?: string,
  ) {
    super(message);
  }
}

/** No update with this id was ever admitted or accepted by the workflow's run. */
export class WorkflowUpdateNotFoundError extends CairnError {
  override readonly name = 'WorkflowUpdateNotFoundError';
  override readonly code = 'WorkflowUpdateNotFound';
}

/** The workflow is closed, so it takes no more signals, updates, cancels or terminations. */
export class WorkflowExecutionClosedError extends CairnError {
  override readonly name = 'WorkflowExecutionClosedError';
  override readonly code = 'WorkflowExecutionClosed';
}

/** A start was refused: a run with this workflow id is open, or the reuse policy forbids a new one. */
export class WorkflowExecutionAlreadyStartedError extends CairnError {
  override readonly name = 'WorkflowExecutionAlreadyStartedError';
  override readonly code = 'WorkflowExecutionAlreadyStarted';
  constructor(
    message: string,
    readonly workflowId: string,
    readonly workflowType: string,
  ) {
    super(message);
  }
}

/** The workflow closed without a result: failed, cancelled, terminated or timed out. `cause` says how. */
export class WorkflowFailedError extends CairnError {
  override readonly name = 'WorkflowFailedError';
  override readonly code = 'WorkflowFailed';
  constructor(
    message: string,
    override readonly cause: CairnFailure,
    readonly retryState: string = 'NonRetryableFailure',
  ) {
    super(message, { cause });
  }
}

/** Replayed workflow code issued a different command than the one recorded in history. */
export class DeterminismViolationError extends CairnError {
  override readonly name = 'DeterminismViolationError';
  override readonly code = 'DeterminismViolation';
  constructor(
    message: string,
    readonly eventId: number,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(message);
  }
}

/** Workflow code called an API that would break determinism (network, files, processes, randomness). */
export class IllegalWorkflowOperationError extends CairnError {
  override readonly name = 'IllegalWorkflowOperationError';
  override readonly code = 'IllegalWorkflowOperation';
}

/** A query was refused: unknown query, a handler that threw, or one that tried to issue a command. */
export class QueryRejectedError extends CairnError {
  override readonly name = 'QueryRejectedError';
  override readonly code = 'QueryRejected';
}

/** An update was rejected by its validator, or its handler failed. `cause` holds the failure. */
export class WorkflowUpdateFailedError extends CairnError {
  override readonly name = 'WorkflowUpdateFailedError';
  override readonly code = 'WorkflowUpdateFailed';
  constructor(
    message: string,
    override readonly cause: CairnFailure | undefined,
  ) {
    super(message, { cause });
  }
}

/** A payload exceeds the configured hard cap. */
export class PayloadTooLargeError extends CairnError {
  override readonly name = 'PayloadTooLargeError';
  override readonly code = 'PayloadTooLarge';
}

/** The history moved on while a writer prepared its append; it must reload and retry. */
export class HistoryConflictError extends CairnError {
  override readonly name = 'HistoryConflictError';
  override readonly code = 'HistoryConflict';
}

/**
 * The task queue's worker function failed before it answered a query or an update (it crashed,
 * timed out or was throttled). The request may or may not have been applied (an update may have
 * been accepted): send it again with the same update id, which makes the retry harmless.
 */
export class WorkerUnavailableError extends CairnError {
  override readonly name = 'WorkerUnavailableError';
  override readonly code = 'WorkerUnavailable';
}

/** The call did not finish within its bound (e.g. a long-poll for a result). */
export class TimeoutExpiredError extends CairnError {
  override readonly name = 'TimeoutExpiredError';
  override readonly code = 'Timeout';
}

/**
 * A start named a task queue that no worker serves, or a task could not be routed to its queue.
 * `knownTaskQueues` lists the queues that are served (when the engine knows them).
 */
export class UnknownTaskQueueError extends CairnError {
  override readonly name = 'UnknownTaskQueueError';
  override readonly code = 'UnknownTaskQueue';
  constructor(
    readonly taskQueue: string,
    readonly knownTaskQueues: readonly string[] | undefined,
    message = unknownTaskQueueMessage(taskQueue, knownTaskQueues),
  ) {
    super(message);
  }
}

function unknownTaskQueueMessage(taskQueue: string, known: readonly string[] | undefined): string {
  const served = known === undefined ? '' : ` (task queues with a worker: ${known.join(', ') || 'none'})`;
  return (
    `No worker serves task queue '${taskQueue}'${served}. ` +
    `Use one of those task queues, or add a worker for '${taskQueue}' (engine.addWorker, cairn dev --worker).`
  );
}

/**
 * The run's workflow task keeps failing in a way that cannot heal without a code change (the
 * time-skipping environment, whose code cannot change, says so instead of waiting for ever).
 * `cause` holds the task's failure; `workflowTaskCause` says what kind it is.
 *
 * @example
 * await expect(env.client.workflow.execute(usesFetch, opts)).rejects.toThrow(WorkflowTaskFailedError);
 */
export class WorkflowTaskFailedError extends CairnError {
  override readonly name = 'WorkflowTaskFailedError';
  override readonly code = 'WorkflowTaskFailed';
  constructor(
    message: string,
    override readonly cause: CairnFailure,
    readonly workflowId: string,
    readonly runId: string,
    readonly workflowTaskCause: string,
  ) {
    super(message, { cause });
  }
}

/** No schedule with this id exists in the namespace (Temporal's `ScheduleNotFoundError`). */
export class ScheduleNotFoundError extends CairnError {
  override readonly name = 'ScheduleNotFoundError';
  override readonly code = 'ScheduleNotFound';
  constructor(
    message: string,
    readonly scheduleId: string,
  ) {
    super(message);
  }
}

/** A schedule with this id exists already (Temporal's `ScheduleAlreadyRunning`). */
export class ScheduleAlreadyRunning extends CairnError {
  override readonly name = 'ScheduleAlreadyRunning';
  override readonly code = 'ScheduleAlreadyRunning';
  constructor(
    message: string,
    readonly scheduleId: string,
  ) {
    super(message);
  }
}

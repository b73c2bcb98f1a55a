import {
  type CairnError,
  DeterminismViolationError,
  HistoryConflictError,
  IllegalWorkflowOperationError,
  InvalidArgumentError,
  PayloadTooLargeError,
  QueryRejectedError,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  TimeoutExpiredError,
  UnknownTaskQueueError,
  WorkerUnavailableError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowExecutionClosedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateNotFoundError,
} from './errors.ts';

/**
 * Rebuilds a local error from its stable `code` and message, so callers see the same classes
 * whether the engine ran in-process or behind HTTP or a Lambda invoke. Undefined for a code it does
 * not know (the caller decides what stands for it).
 */
export function rehydrateError(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): CairnError | undefined {
  const workflowId = typeof details.workflowId === 'string' ? details.workflowId : '';
  switch (code) {
    case 'InvalidArgument':
      return new InvalidArgumentError(message);
    case 'WorkflowNotFound':
      return new WorkflowNotFoundError(
        message,
        workflowId,
        typeof details.runId === 'string' ? details.runId : undefined,
      );
    case 'WorkflowExecutionAlreadyStarted':
      return new WorkflowExecutionAlreadyStartedError(
        message,
        workflowId,
        String(details.workflowType ?? ''),
      );
    case 'WorkflowExecutionClosed':
      return new WorkflowExecutionClosedError(message);
    case 'QueryRejected':
      return new QueryRejectedError(message);
    case 'WorkflowUpdateFailed':
      return new WorkflowUpdateFailedError(message, undefined);
    case 'WorkflowUpdateNotFound':
      return new WorkflowUpdateNotFoundError(message);
    case 'PayloadTooLarge':
      return new PayloadTooLargeError(message);
    case 'HistoryConflict':
      return new HistoryConflictError(message);
    case 'DeterminismViolation':
      return new DeterminismViolationError(
        message,
        Number(details.eventId ?? 0),
        String(details.expected ?? ''),
        String(details.actual ?? ''),
      );
    case 'IllegalWorkflowOperation':
      return new IllegalWorkflowOperationError(message);
    case 'Timeout':
      return new TimeoutExpiredError(message);
    case 'WorkerUnavailable':
      return new WorkerUnavailableError(message);
    case 'ScheduleNotFound':
      return new ScheduleNotFoundError(message, String(details.scheduleId ?? ''));
    case 'ScheduleAlreadyRunning':
      return new ScheduleAlreadyRunning(message, String(details.scheduleId ?? ''));
    case 'UnknownTaskQueue':
      return new UnknownTaskQueueError(
        String(details.taskQueue ?? ''),
        Array.isArray(details.knownTaskQueues) ? details.knownTaskQueues.map(String) : undefined,
        message,
      );
    default:
      return undefined;
  }
}

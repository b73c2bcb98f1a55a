/**
 * `cairnflow/common`: what workflow, activity and client code share.
 *
 * @example
 * import { ApplicationFailure, type PayloadCodec } from 'cairnflow/common';
 */
export { type Duration, durationToMs } from './duration.ts';
export { ParentClosePolicy, WorkflowIdReusePolicy } from './enums.ts';
export {
  CairnError,
  DeterminismViolationError,
  HistoryConflictError,
  IllegalWorkflowOperationError,
  InvalidArgumentError,
  PayloadTooLargeError,
  QueryRejectedError,
  TimeoutExpiredError,
  UnknownTaskQueueError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowExecutionClosedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowTaskFailedError,
  WorkflowUpdateFailedError,
} from './errors.ts';
export type { ApplicationFailureOptions, FailureInfo, RetryState, TimeoutType } from './failures.ts';
export {
  ActivityFailure,
  ApplicationFailure,
  ApplicationFailureCategory,
  CairnFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  isCancellation,
  ServerFailure,
  TemporalFailure,
  TerminatedFailure,
  TimeoutFailure,
} from './failures.ts';
export { defaultPayloadConverter, JsonPayloadConverter } from './json-payload-converter.ts';
export type { DataConverter, Payload, PayloadCodec, PayloadConverter } from './payload.ts';

/**
 * `cairnflow/client`: starting and managing workflows over the HTTP API.
 *
 * @example
 * import { Client } from 'cairnflow/client';
 * const client = new Client({ endpoint: process.env.CAIRN_ENDPOINT! });
 */

export { ScheduleOverlapPolicy, WorkflowIdReusePolicy } from '../common/enums.ts';
export {
  CairnError,
  HistoryConflictError,
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
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowTaskFailedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateNotFoundError,
} from '../common/errors.ts';
// The failures a `WorkflowFailedError`'s cause chain is made of, as `@temporalio/client` re-exports
// them: the same classes as `cairnflow/common` and `cairnflow/workflow`, so `instanceof` works with either.
export type { ApplicationFailureOptions, RetryState, TimeoutType } from '../common/failures.ts';
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
} from '../common/failures.ts';
export type {
  DeadLetter,
  DeadLetterFilter,
  DeadLetterPage,
  RedriveResult,
} from '../common/wire/dead-letters.ts';
export { AsyncCompletionClient } from './async-completion-client.ts';
export type { ClientOptions, WorkflowExecutionInfo, WorkflowStartOptions } from './client.ts';
export { Client, WorkflowClient } from './client.ts';
export type { ConnectionOptions, RequestSigner } from './connection.ts';
export { Connection } from './connection.ts';
export { DEFAULT_ENDPOINT, defaultEndpoint } from './default-endpoint.ts';
export { HttpApiError } from './http-requester.ts';
export type { RetryOptions } from './retry-policy.ts';
export type {
  Backfill,
  ScheduleDescription,
  ScheduleExecutionActionResult,
  ScheduleExecutionResult,
  ScheduleOptions,
  SchedulePolicies,
  ScheduleStartWorkflowAction,
  ScheduleState,
  ScheduleSummary,
  ScheduleUpdateOptions,
} from './schedule-client.ts';
export { ScheduleClient, ScheduleHandle } from './schedule-client.ts';
export type {
  CalendarSpec,
  CalendarSpecDescription,
  DayOfWeek,
  IntervalSpec,
  LooseRange,
  Month,
  Range,
  ScheduleSpec,
  ScheduleSpecDescription,
} from './schedule-spec-input.ts';
export { type SigV4SignerOptions, sigv4Signer } from './sigv4-signer.ts';
export type { WorkflowTaskFailureHandler, WorkflowTaskFailureReport } from './task-failure-report.ts';
export { formatWorkflowTaskFailure, warnOnWorkflowTaskFailure } from './task-failure-report.ts';
export {
  type UpdateWithStartOptions,
  WithStartWorkflowOperation,
  type WithStartWorkflowOptions,
  WorkflowIdConflictPolicy,
} from './with-start-operation.ts';
export type { WorkflowExecutionDescription, WorkflowResultType } from './workflow-handle.ts';
export { WorkflowUpdateHandle, WorkflowUpdateStage } from './workflow-update-handle.ts';

import { WorkflowHandle as Handle, type WorkflowResultType } from './workflow-handle.ts';
/**
 * A handle to one workflow. Named by its result (`WorkflowHandle<string>`) or, as in Temporal, by
 * its workflow function (`WorkflowHandle<typeof orderWorkflow>`): both are the same type.
 *
 * @example
 * const handle: WorkflowHandle<typeof orderWorkflow> = await client.workflow.start(orderWorkflow, options);
 */
export type WorkflowHandle<T = unknown> = Handle<WorkflowResultType<T>>;
export const WorkflowHandle = Handle;
export type {
  IndexedValueTypeMapping,
  SearchAttributeKey,
  SearchAttributePair,
  SearchAttributeUpdatePair,
} from '../common/typed-search-attributes.ts';
export {
  defineSearchAttributeKey,
  SearchAttributeType,
  TypedSearchAttributes,
} from '../common/typed-search-attributes.ts';

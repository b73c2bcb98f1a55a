/**
 * `cairnflow/workflow`: what workflow code imports. Deterministic: no AWS, no I/O.
 *
 * @example
 * import { proxyActivities, sleep, defineSignal, setHandler, condition } from 'cairnflow/workflow';
 */

export type { Duration } from '../common/duration.ts';
export { ParentClosePolicy, WorkflowIdReusePolicy } from '../common/enums.ts';
export { DeterminismViolationError, IllegalWorkflowOperationError } from '../common/errors.ts';
export type { ApplicationFailureOptions, RetryState, TimeoutType } from '../common/failures.ts';
export {
  ActivityFailure,
  ApplicationFailure,
  ApplicationFailureCategory,
  CancelledFailure,
  ChildWorkflowFailure,
  isCancellation,
  ServerFailure,
  TerminatedFailure,
  TimeoutFailure,
} from '../common/failures.ts';
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
export type { CancellationScopeOptions } from '../engine/cancellation-scope.ts';
export { CancellationScope } from '../engine/cancellation-scope.ts';
export type { SearchAttributes } from '../engine/events.ts';
export type { RetryPolicy } from '../engine/retry-policy.ts';
export type { WorkflowInfo } from '../engine/workflow-info.ts';
export type { ActivityInterfaceFor, ActivityOptions, UntypedActivities } from './activities.ts';
export { ActivityCancellationType, proxyActivities } from './activities.ts';
export type { ChildWorkflowHandle, ChildWorkflowOptions, ExternalWorkflowHandle } from './children.ts';
export { executeChild, getExternalWorkflowHandle, startChild } from './children.ts';
export type {
  QueryDefinition,
  SignalDefinition,
  UpdateDefinition,
  UpdateHandlerOptions,
} from './handlers.ts';
export { allHandlersFinished, defineQuery, defineSignal, defineUpdate, setHandler } from './handlers.ts';
export type { LocalActivityOptions } from './local-activities.ts';
export { proxyLocalActivities } from './local-activities.ts';
export type { ContinueAsNewOptions } from './run.ts';
export {
  continueAsNew,
  deprecatePatch,
  inWorkflowContext,
  log,
  makeContinueAsNewFunc,
  patched,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from './run.ts';
export { condition, sleep } from './timers.ts';

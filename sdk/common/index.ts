/**
 * `cairnflow/common`: what workflow, activity and client code share.
 *
 * @example
 * import { ApplicationFailure, type PayloadCodec } from 'cairnflow/common';
 */
export { type Duration, durationToMs } from './duration.ts';
export {
  decode,
  type EncodingType,
  encode,
  encodingKeys,
  encodingTypes,
  METADATA_ENCODING_KEY,
} from './encoding.ts';
export { ParentClosePolicy, ScheduleOverlapPolicy, WorkflowIdReusePolicy } from './enums.ts';
export {
  CairnError,
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
export type { DataConverter, PayloadCodec, StoredPayload } from './payload.ts';
export {
  BinaryPayloadConverter,
  CompositePayloadConverter,
  DefaultPayloadConverter,
  defaultPayloadConverter,
  JsonPayloadConverter,
  type Payload,
  type PayloadConverter,
  PayloadConverterError,
  type PayloadConverterWithEncoding,
  UndefinedPayloadConverter,
  ValueError,
} from './payload-converter.ts';
export type { SearchAttributeInput, SearchAttributesInput } from './search-attributes.ts';
export { fromStoredPayload, toStoredPayload } from './stored-payload.ts';
export type {
  IndexedValueTypeMapping,
  SearchAttributeKey,
  SearchAttributePair,
  SearchAttributeUpdatePair,
} from './typed-search-attributes.ts';
export {
  defineSearchAttributeKey,
  SearchAttributeType,
  TypedSearchAttributes,
} from './typed-search-attributes.ts';

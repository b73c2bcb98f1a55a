/**
 * The preset dictionary of batch body codec 1 (`batch-codec.ts`): text that deflate treats as if it
 * had just been seen before every batch, so a small batch's keys, event types and usual values
 * compress to back-references instead of being spelled out once per item. A typical step's batch
 * (six events and the run state, ~1.8 KB of JSON) deflates to ~600 bytes alone and to ~300 with it.
 *
 * Stored items name their codec in their first byte, and old items must stay readable: this text
 * must never change. A better dictionary is codec 2, written beside this one.
 *
 * Deflate reaches back at most 32 KB and favours what is nearest, so the most common fragments come
 * last: rarer event types first, then a run state and a typical step's events.
 */
const RARE = [
  'WorkflowExecutionStarted',
  'WorkflowExecutionCompleted',
  'WorkflowExecutionFailed',
  'WorkflowExecutionTimedOut',
  'WorkflowExecutionTerminated',
  'WorkflowExecutionCanceled',
  'WorkflowExecutionCancelRequested',
  'WorkflowExecutionContinuedAsNew',
  'WorkflowExecutionSignaled',
  'WorkflowExecutionUpdateAccepted',
  'WorkflowExecutionUpdateCompleted',
  'WorkflowTaskFailed',
  'UpsertWorkflowSearchAttributes',
  'MarkerRecorded',
  'TimerStarted',
  'TimerFired',
  'TimerCanceled',
  'ActivityTaskFailed',
  'ActivityTaskTimedOut',
  'ActivityTaskCancelRequested',
  'ActivityTaskCanceled',
  'StartChildWorkflowExecutionInitiated',
  'StartChildWorkflowExecutionFailed',
  'ChildWorkflowExecutionStarted',
  'ChildWorkflowExecutionCompleted',
  'ChildWorkflowExecutionFailed',
  'SignalExternalWorkflowExecutionInitiated',
  'SignalExternalWorkflowExecutionFailed',
  'ExternalWorkflowExecutionSignaled',
  'RequestCancelExternalWorkflowExecutionInitiated',
  'RequestCancelExternalWorkflowExecutionFailed',
  'ExternalWorkflowExecutionCancelRequested',
]
  .map((type) => `{"type":"${type}",`)
  .join('');

const FIELDS =
  '"workflowType":"","taskQueue":"","input":[],"workflowId":"","runId":"","firstRunId":"",' +
  '"signalName":"","updateId":"","updateName":"","failure":{"kind":"application","message":"",' +
  '"type":"Error","nonRetryable":false,"stack":""},"retryState":"InProgress","nextAttemptTime":,' +
  '"timeoutType":"StartToClose","fireTime":,"startToFireTimeoutMs":,"initiatedEventId":,' +
  '"workflowIdReusePolicy":"ALLOW_DUPLICATE","parentClosePolicy":"TERMINATE","reason":"",' +
  '"identity":"","markerName":"","details":{},"memo":{},"searchAttributes":{},' +
  '"workflowExecutionTimeoutMs":,"workflowRunTimeoutMs":,"executionExpirationTime":,' +
  '"runExpirationTime":,"closeTime":,"heartbeatMs":,"scheduleToCloseMs":,"scheduleToStartMs":,' +
  '"lastFailure":,"parent":{"namespace":"default","workflowId":"","runId":"","initiatedEventId":},';

const OPTIONS =
  '"options":{"startToCloseMs":60000,"retry":{"initialIntervalMs":1000,"backoffCoefficient":2,' +
  '"maximumIntervalMs":100000,"maximumAttempts":0,"nonRetryableErrorTypes":[]},' +
  '"cancellationType":"TRY_CANCEL"}';

const STATE =
  '{"namespace":"default","workflowId":"","runId":"","firstRunId":"","workflowType":"",' +
  '"taskQueue":"","status":"Running","startTime":1800000000000,"nextEventId":,' +
  '"workflowTask":null,"activities":{"":{"seq":1,"activityId":"1","activityType":"",' +
  `"taskQueue":"","scheduledTime":1800000000000,"attempt":1,${OPTIONS},"cancelRequested":false}},` +
  '"timers":{},"children":{},"externals":{},"updates":{},"completedUpdates":{},' +
  '"cancelRequested":false,"searchAttributes":{},"memo":{}}';

const STEP =
  '[[{"type":"ActivityTaskStarted","scheduledEventId":,"attempt":1,"eventTime":1800000000000,"eventId":},' +
  '{"type":"ActivityTaskCompleted","scheduledEventId":,"attempt":1,"result":{"metadata":' +
  '{"encoding":"json/plain"},"data":""},"eventId":,"eventTime":1800000000000},' +
  '{"type":"WorkflowTaskScheduled","attempt":1,"eventId":,"eventTime":1800000000000},' +
  '{"type":"WorkflowTaskStarted","scheduledEventId":,"attempt":1,"eventId":,"eventTime":1800000000000},' +
  '{"type":"WorkflowTaskCompleted","scheduledEventId":,"eventId":,"eventTime":1800000000000},' +
  '{"type":"ActivityTaskScheduled","seq":,"activityType":"","activityId":"","taskQueue":"",' +
  `"input":[{"metadata":{"encoding":"json/plain"},"data":""}],${OPTIONS},"eventId":,"eventTime":1800000000000}],`;

/** Codec 1's dictionary, as deflate takes it. */
export const BATCH_DICTIONARY_V1: Buffer = Buffer.from(RARE + FIELDS + STEP + STATE);

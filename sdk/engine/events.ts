import type { FailureInfo, RetryState, TimeoutType } from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';

/** Timeouts and retry policy of a scheduled activity, resolved to milliseconds. */
export interface ActivityOptionsResolved {
  scheduleToCloseMs?: number;
  scheduleToStartMs?: number;
  startToCloseMs?: number;
  heartbeatMs?: number;
  retry: RetryPolicyResolved;
  cancellationType: 'TRY_CANCEL' | 'WAIT_CANCELLATION_COMPLETED' | 'ABANDON';
}

/** A retry policy with every default filled in. `maximumAttempts: 0` means unlimited. */
export interface RetryPolicyResolved {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
  nonRetryableErrorTypes: string[];
}

export type SearchAttributeValue = string | number | boolean | string[];
export type SearchAttributes = Record<string, SearchAttributeValue>;
/** An upsert's changes: a value sets the attribute, `null` removes it. */
export type SearchAttributeUpdates = Record<string, SearchAttributeValue | null>;

/** Where a child workflow came from, recorded on its start event. */
export interface ParentRef {
  namespace: string;
  workflowId: string;
  runId: string;
  initiatedEventId: number;
}

export type ParentClosePolicyName = 'TERMINATE' | 'REQUEST_CANCEL' | 'ABANDON';

// The fields a command and the event it becomes share, written once. Type aliases, not interfaces:
// an event must stay assignable to the wire's open record shape (sdk/common/wire/history-page.ts).

/** What a ScheduleActivityTask command asks for, and its ActivityTaskScheduled event records. */
export type ActivitySchedule = {
  seq: number;
  activityId: string;
  activityType: string;
  taskQueue: string;
  input: Payload[];
  options: ActivityOptionsResolved;
};

/** What a StartChildWorkflowExecution command asks for, and its Initiated event records. */
export type ChildWorkflowStart = {
  seq: number;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  input: Payload[];
  parentClosePolicy: ParentClosePolicyName;
  workflowIdReusePolicy?: WorkflowIdReusePolicyName;
  workflowExecutionTimeoutMs?: number;
  workflowRunTimeoutMs?: number;
  memo?: Record<string, Payload>;
  searchAttributes?: SearchAttributes;
  cronSchedule?: string;
};

/** What a SignalExternalWorkflowExecution command asks for, and its Initiated event records. */
export type ExternalSignal = {
  seq: number;
  workflowId: string;
  runId?: string;
  signalName: string;
  input: Payload[];
  /** True when the target is this workflow's own child (a child handle's signal). */
  childWorkflowOnly: boolean;
};

/** What a RequestCancelExternalWorkflowExecution command asks for, and its Initiated event records. */
export type ExternalCancel = {
  seq: number;
  workflowId: string;
  runId?: string;
  childWorkflowOnly: boolean;
};

/** The next run a ContinueAsNewWorkflowExecution command asks for, and its ContinuedAsNew event records. */
export type ContinueAsNewRun = {
  workflowType: string;
  taskQueue: string;
  input: Payload[];
  workflowRunTimeoutMs?: number;
  memo?: Record<string, Payload>;
  searchAttributes?: SearchAttributes;
};

/**
 * Every history event, as a discriminated union on `type`. Events that answer a command carry the
 * command's `seq` (the per-kind sequence number the workflow code assigned), so replay can match
 * them without trusting stream order.
 */
export type EventBody =
  | {
      type: 'WorkflowExecutionStarted';
      workflowType: string;
      workflowId: string;
      taskQueue: string;
      input: Payload[];
      attempt: number;
      firstRunId: string;
      continuedFromRunId?: string;
      parent?: ParentRef;
      parentClosePolicy?: ParentClosePolicyName;
      memo?: Record<string, Payload>;
      searchAttributes?: SearchAttributes;
      workflowExecutionTimeoutMs?: number;
      workflowRunTimeoutMs?: number;
      /** Deadline of the whole chain of runs (continue-as-new keeps it). */
      executionExpirationTime?: number;
      randomSeed: string;
      /** The client's request id of the start, so a retried start finds this run instead of making another. */
      requestId?: string;
      /** Temporal's cron workflows: each run closes and the next starts at the next matching time. */
      cronSchedule?: string;
      /** The first workflow task waits this long (a cron run waiting for its time). */
      firstWorkflowTaskBackoffMs?: number;
    }
  | {
      type: 'WorkflowTaskScheduled';
      attempt: number;
      /**
       * An eager start's first task: the API hands it to the worker itself, so the router sends
       * its message only as a backstop, after the workflow task timeout.
       */
      eager?: true;
    }
  | { type: 'WorkflowTaskStarted'; scheduledEventId: number; attempt: number }
  | { type: 'WorkflowTaskCompleted'; scheduledEventId: number; sdkFlags?: number[] }
  | {
      type: 'WorkflowTaskFailed';
      scheduledEventId: number;
      failure: FailureInfo;
      cause: WorkflowTaskFailedCause;
    }
  | ({
      type: 'ActivityTaskScheduled';
      /**
       * Eager execution: the worker that committed this event runs the activity's first attempt
       * itself, in an invocation that ends by this time (epoch ms), so the router sends no task for
       * it. An attempt still open well past it was orphaned by a dead invocation and times out.
       */
      eagerUntil?: number;
    } & ActivitySchedule)
  | { type: 'ActivityTaskStarted'; scheduledEventId: number; attempt: number }
  | { type: 'ActivityTaskCompleted'; scheduledEventId: number; attempt: number; result: Payload }
  | {
      type: 'ActivityTaskFailed';
      scheduledEventId: number;
      attempt: number;
      failure: FailureInfo;
      retryState: RetryState;
      /** Set while retrying: when the next attempt is dispatched. */
      nextAttemptTime?: number;
    }
  | {
      type: 'ActivityTaskTimedOut';
      scheduledEventId: number;
      attempt: number;
      timeoutType: TimeoutType;
      failure: FailureInfo;
      retryState: RetryState;
      nextAttemptTime?: number;
    }
  | { type: 'ActivityTaskCancelRequested'; scheduledEventId: number; seq: number }
  | { type: 'ActivityTaskCanceled'; scheduledEventId: number; details?: Payload }
  | { type: 'TimerStarted'; seq: number; durationMs: number; fireTime: number }
  | { type: 'TimerFired'; startedEventId: number; seq: number }
  | { type: 'TimerCanceled'; startedEventId: number; seq: number }
  | {
      type: 'WorkflowExecutionSignaled';
      signalName: string;
      input: Payload[];
      identity?: string;
      /** The client's request id: a retried signal with it is not recorded twice. */
      requestId?: string;
    }
  | { type: 'MarkerRecorded'; markerName: string; details: Record<string, Payload> }
  | { type: 'WorkflowExecutionCancelRequested'; reason?: string; identity?: string; requestId?: string }
  | { type: 'UpsertWorkflowSearchAttributes'; searchAttributes: SearchAttributeUpdates }
  | {
      type: 'WorkflowExecutionUpdateAccepted';
      updateId: string;
      updateName: string;
      input: Payload[];
    }
  | {
      /**
       * An update admitted durably before any workflow task saw it (update-with-start: written in
       * the start's own write). The next workflow task offers it to the validator and handler.
       */
      type: 'WorkflowExecutionUpdateAdmitted';
      updateId: string;
      updateName: string;
      input: Payload[];
    }
  | {
      /** An admitted update the workflow rejected (validator, or no handler): its outcome. */
      type: 'WorkflowExecutionUpdateRejected';
      updateId: string;
      admittedEventId: number;
      failure: FailureInfo;
    }
  | {
      type: 'WorkflowExecutionUpdateCompleted';
      updateId: string;
      acceptedEventId: number;
      outcome: { result: Payload } | { failure: FailureInfo };
    }
  | ({ type: 'StartChildWorkflowExecutionInitiated' } & ChildWorkflowStart)
  | { type: 'StartChildWorkflowExecutionFailed'; initiatedEventId: number; seq: number; cause: string }
  | { type: 'ChildWorkflowExecutionStarted'; initiatedEventId: number; seq: number; runId: string }
  | { type: 'ChildWorkflowExecutionCompleted'; initiatedEventId: number; seq: number; result: Payload }
  | {
      type: 'ChildWorkflowExecutionFailed';
      initiatedEventId: number;
      seq: number;
      failure: FailureInfo;
      /** How the child closed: failed, timed out, cancelled or terminated. */
      closeStatus: 'Failed' | 'TimedOut' | 'Canceled' | 'Terminated';
    }
  | ({ type: 'SignalExternalWorkflowExecutionInitiated' } & ExternalSignal)
  | { type: 'ExternalWorkflowExecutionSignaled'; initiatedEventId: number; seq: number }
  | { type: 'SignalExternalWorkflowExecutionFailed'; initiatedEventId: number; seq: number; cause: string }
  | ({ type: 'RequestCancelExternalWorkflowExecutionInitiated' } & ExternalCancel)
  | { type: 'ExternalWorkflowExecutionCancelRequested'; initiatedEventId: number; seq: number }
  | {
      type: 'RequestCancelExternalWorkflowExecutionFailed';
      initiatedEventId: number;
      seq: number;
      cause: string;
    }
  | { type: 'WorkflowExecutionCompleted'; result: Payload }
  | { type: 'WorkflowExecutionFailed'; failure: FailureInfo }
  | { type: 'WorkflowExecutionTimedOut'; timeoutType: 'Execution' | 'Run' }
  | { type: 'WorkflowExecutionTerminated'; reason?: string; identity?: string; requestId?: string }
  | { type: 'WorkflowExecutionCanceled'; details?: Payload }
  | ({ type: 'WorkflowExecutionContinuedAsNew'; newRunId: string } & ContinueAsNewRun);

export type WorkflowTaskFailedCause =
  | 'WorkflowError'
  | 'NonDeterminism'
  | 'UnknownWorkflowType'
  | 'UpdateRejected';

export type WorkflowIdReusePolicyName =
  | 'ALLOW_DUPLICATE'
  | 'ALLOW_DUPLICATE_FAILED_ONLY'
  | 'REJECT_DUPLICATE'
  | 'TERMINATE_IF_RUNNING';

export type EventType = EventBody['type'];

/** One history event: its body plus the gap-free id and the time it was committed. */
export type HistoryEvent = EventBody & { eventId: number; eventTime: number };

/** The event of the given type. */
export type EventOf<T extends EventType> = Extract<HistoryEvent, { type: T }>;

/** The events that close a run; exactly one ends every closed history. */
export const CLOSE_EVENT_TYPES = [
  'WorkflowExecutionCompleted',
  'WorkflowExecutionFailed',
  'WorkflowExecutionTimedOut',
  'WorkflowExecutionTerminated',
  'WorkflowExecutionCanceled',
  'WorkflowExecutionContinuedAsNew',
] as const satisfies readonly EventType[];

export type CloseEventType = (typeof CLOSE_EVENT_TYPES)[number];

export function isCloseEvent(event: HistoryEvent): event is EventOf<CloseEventType> {
  return (CLOSE_EVENT_TYPES as readonly string[]).includes(event.type);
}

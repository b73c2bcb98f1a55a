import type { FailureInfo } from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import type {
  ActivityOptionsResolved,
  HistoryEvent,
  ParentClosePolicyName,
  ParentRef,
  SearchAttributes,
  SearchAttributeUpdates,
} from './events.ts';

/** The states a run can be in: `Running`, or how it closed. */
export const EXECUTION_STATUSES = [
  'Running',
  'Completed',
  'Failed',
  'Canceled',
  'Terminated',
  'TimedOut',
  'ContinuedAsNew',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** An activity that is scheduled and not yet resolved. */
export interface PendingActivity {
  seq: number;
  activityId: string;
  activityType: string;
  taskQueue: string;
  scheduledTime: number;
  /** The attempt that is dispatched now (1-based). */
  attempt: number;
  options: ActivityOptionsResolved;
  cancelRequested: boolean;
  lastFailure?: FailureInfo;
  /** When the next attempt is due, while the activity waits out its retry backoff. */
  nextAttemptTime?: number;
  /** Set while the first attempt runs eagerly: the end of the invocation that holds it (epoch ms). */
  eagerUntil?: number;
}

export interface PendingTimer {
  seq: number;
  fireTime: number;
}

export interface PendingChild {
  seq: number;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  runId?: string;
  parentClosePolicy: ParentClosePolicyName;
}

export interface PendingExternal {
  seq: number;
  kind: 'signal' | 'cancel';
  workflowId: string;
  runId?: string;
  childWorkflowOnly: boolean;
}

/**
 * The state of one run, derived from its history by {@link applyEvents}. It holds only what is
 * still open (pending activities, timers, children, updates), so its size tracks the run's
 * present, not its past. Stores persist it beside the history as a cache of the derivation.
 */
export interface RunState {
  namespace: string;
  workflowId: string;
  runId: string;
  firstRunId: string;
  workflowType: string;
  taskQueue: string;
  status: ExecutionStatus;
  startTime: number;
  closeTime?: number;
  /** The id the next appended event will get; the optimistic-concurrency guard of every append. */
  nextEventId: number;
  workflowTask: { scheduledEventId: number; attempt: number } | null;
  activities: Record<string, PendingActivity>;
  timers: Record<string, PendingTimer>;
  children: Record<string, PendingChild>;
  externals: Record<string, PendingExternal>;
  /** Accepted updates not yet completed, by update id → accepted event id. */
  updates: Record<string, number>;
  /** Update ids ever accepted in this run, so a retried update request is not applied twice. */
  completedUpdates: Record<string, number>;
  /**
   * Admitted updates (update-with-start) no workflow task has decided yet, by update id → admitted
   * event id. Absent in states stored before admission existed.
   */
  admittedUpdates?: Record<string, number>;
  cancelRequested: boolean;
  /**
   * Request ids of the latest client requests applied to this run (start, signal, cancel,
   * terminate), oldest first, at most {@link MAX_REMEMBERED_REQUEST_IDS}: a retried request whose
   * id is here was applied already. Absent in snapshots written before request ids existed.
   */
  requestIds?: string[];
  searchAttributes: SearchAttributes;
  memo: Record<string, Payload>;
  parent?: ParentRef;
  parentClosePolicy?: ParentClosePolicyName;
  executionExpirationTime?: number;
  runExpirationTime?: number;
  continuedAsNewRunId?: string;
  /** A cron workflow's schedule: a run that continues as new keeps it (Temporal's cron workflows). */
  cronSchedule?: string;
}

function withoutKey(record: Record<string, number> | undefined, key: string): Record<string, number> {
  const { [key]: _removed, ...rest } = record ?? {};
  return rest;
}

/**
 * How many request ids a run remembers. A client retries within seconds (a handful of attempts), so
 * a retry finds its id unless dozens of other requests reached the run in between; the bound keeps
 * the run's head item small (DynamoDB's 400 KB).
 */
export const MAX_REMEMBERED_REQUEST_IDS = 64;

/** Whether a client request with this id was applied to the run already. */
export function hasAppliedRequest(state: RunState, requestId: string | undefined): boolean {
  return requestId !== undefined && (state.requestIds?.includes(requestId) ?? false);
}

function rememberRequest(state: RunState, requestId: string | undefined): void {
  if (requestId === undefined) return;
  state.requestIds = [...(state.requestIds ?? []), requestId].slice(-MAX_REMEMBERED_REQUEST_IDS);
}

function assertNever(value: never): never {
  throw new TypeError(`Unhandled history event ${JSON.stringify(value)}`);
}

/** The state a run starts from, before its first event. */
export function initialRunState(namespace: string, runId: string): RunState {
  return {
    namespace,
    workflowId: '',
    runId,
    firstRunId: runId,
    workflowType: '',
    taskQueue: '',
    status: 'Running',
    startTime: 0,
    nextEventId: 1,
    workflowTask: null,
    activities: {},
    timers: {},
    children: {},
    externals: {},
    updates: {},
    completedUpdates: {},
    cancelRequested: false,
    searchAttributes: {},
    memo: {},
  };
}

function close(state: RunState, status: ExecutionStatus, event: HistoryEvent): void {
  state.status = status;
  state.closeTime = event.eventTime;
  state.workflowTask = null;
}

/** Applies one event to a state in place. Exhaustive over the event union. */
function applyEvent(state: RunState, event: HistoryEvent): void {
  switch (event.type) {
    case 'WorkflowExecutionStarted':
      Object.assign(state, {
        workflowId: event.workflowId,
        workflowType: event.workflowType,
        taskQueue: event.taskQueue,
        firstRunId: event.firstRunId,
        startTime: event.eventTime,
        searchAttributes: { ...(event.searchAttributes ?? {}) },
        memo: { ...(event.memo ?? {}) },
        parent: event.parent,
        parentClosePolicy: event.parentClosePolicy,
        executionExpirationTime: event.executionExpirationTime,
        runExpirationTime:
          event.workflowRunTimeoutMs !== undefined ? event.eventTime + event.workflowRunTimeoutMs : undefined,
        ...(event.cronSchedule !== undefined && { cronSchedule: event.cronSchedule }),
      });
      rememberRequest(state, event.requestId);
      return;
    case 'WorkflowTaskScheduled':
      state.workflowTask = { scheduledEventId: event.eventId, attempt: event.attempt };
      return;
    case 'WorkflowTaskStarted':
      return;
    case 'WorkflowTaskCompleted':
      state.workflowTask = null;
      return;
    case 'WorkflowTaskFailed':
      // The task stays pending: it is retried with backoff until code or an operator fixes it.
      return;
    case 'ActivityTaskScheduled':
      state.activities[event.eventId] = {
        seq: event.seq,
        activityId: event.activityId,
        activityType: event.activityType,
        taskQueue: event.taskQueue,
        scheduledTime: event.eventTime,
        attempt: 1,
        options: event.options,
        cancelRequested: false,
        ...(event.eagerUntil !== undefined && { eagerUntil: event.eagerUntil }),
      };
      return;
    case 'ActivityTaskStarted':
      return;
    case 'ActivityTaskFailed':
    case 'ActivityTaskTimedOut': {
      const activity = state.activities[event.scheduledEventId];
      if (!activity) return;
      if (event.retryState === 'InProgress') {
        // A retry is dispatched from the queue: the eager claim was the first attempt's only.
        const { eagerUntil: _claim, ...unclaimed } = activity;
        state.activities[event.scheduledEventId] = {
          ...unclaimed,
          attempt: event.attempt + 1,
          lastFailure: event.failure,
          nextAttemptTime: event.nextAttemptTime,
        };
      } else {
        delete state.activities[event.scheduledEventId];
      }
      return;
    }
    case 'ActivityTaskCompleted':
    case 'ActivityTaskCanceled':
      delete state.activities[event.scheduledEventId];
      return;
    case 'ActivityTaskCancelRequested': {
      const activity = state.activities[event.scheduledEventId];
      if (activity) state.activities[event.scheduledEventId] = { ...activity, cancelRequested: true };
      return;
    }
    case 'TimerStarted':
      state.timers[event.eventId] = { seq: event.seq, fireTime: event.fireTime };
      return;
    case 'TimerFired':
    case 'TimerCanceled':
      delete state.timers[event.startedEventId];
      return;
    case 'WorkflowExecutionSignaled':
      rememberRequest(state, event.requestId);
      return;
    case 'MarkerRecorded':
      return;
    case 'WorkflowExecutionCancelRequested':
      state.cancelRequested = true;
      rememberRequest(state, event.requestId);
      return;
    case 'UpsertWorkflowSearchAttributes':
      state.searchAttributes = applySearchAttributeUpdates(state.searchAttributes, event.searchAttributes);
      return;
    case 'WorkflowExecutionUpdateAdmitted':
      state.admittedUpdates = { ...state.admittedUpdates, [event.updateId]: event.eventId };
      return;
    case 'WorkflowExecutionUpdateRejected':
      // Decided: a resent request with this id reads the rejection instead of asking again.
      state.admittedUpdates = withoutKey(state.admittedUpdates, event.updateId);
      state.completedUpdates[event.updateId] = event.eventId;
      return;
    case 'WorkflowExecutionUpdateAccepted':
      state.updates[event.updateId] = event.eventId;
      state.completedUpdates[event.updateId] = event.eventId;
      if (state.admittedUpdates?.[event.updateId] !== undefined)
        state.admittedUpdates = withoutKey(state.admittedUpdates, event.updateId);
      return;
    case 'WorkflowExecutionUpdateCompleted':
      delete state.updates[event.updateId];
      return;
    case 'StartChildWorkflowExecutionInitiated':
      state.children[event.eventId] = {
        seq: event.seq,
        workflowId: event.workflowId,
        workflowType: event.workflowType,
        taskQueue: event.taskQueue,
        parentClosePolicy: event.parentClosePolicy,
      };
      return;
    case 'ChildWorkflowExecutionStarted': {
      const child = state.children[event.initiatedEventId];
      if (child) state.children[event.initiatedEventId] = { ...child, runId: event.runId };
      return;
    }
    case 'StartChildWorkflowExecutionFailed':
    case 'ChildWorkflowExecutionCompleted':
    case 'ChildWorkflowExecutionFailed':
      delete state.children[event.initiatedEventId];
      return;
    case 'SignalExternalWorkflowExecutionInitiated':
      state.externals[event.eventId] = {
        seq: event.seq,
        kind: 'signal',
        workflowId: event.workflowId,
        runId: event.runId,
        childWorkflowOnly: event.childWorkflowOnly,
      };
      return;
    case 'RequestCancelExternalWorkflowExecutionInitiated':
      state.externals[event.eventId] = {
        seq: event.seq,
        kind: 'cancel',
        workflowId: event.workflowId,
        runId: event.runId,
        childWorkflowOnly: event.childWorkflowOnly,
      };
      return;
    case 'ExternalWorkflowExecutionSignaled':
    case 'SignalExternalWorkflowExecutionFailed':
    case 'ExternalWorkflowExecutionCancelRequested':
    case 'RequestCancelExternalWorkflowExecutionFailed':
      delete state.externals[event.initiatedEventId];
      return;
    case 'WorkflowExecutionCompleted':
      close(state, 'Completed', event);
      return;
    case 'WorkflowExecutionFailed':
      close(state, 'Failed', event);
      return;
    case 'WorkflowExecutionTimedOut':
      close(state, 'TimedOut', event);
      return;
    case 'WorkflowExecutionTerminated':
      close(state, 'Terminated', event);
      rememberRequest(state, event.requestId);
      return;
    case 'WorkflowExecutionCanceled':
      close(state, 'Canceled', event);
      return;
    case 'WorkflowExecutionContinuedAsNew':
      close(state, 'ContinuedAsNew', event);
      state.continuedAsNewRunId = event.newRunId;
      return;
    default:
      assertNever(event);
  }
}

/** Copies the parts of a state that {@link applyEvent} mutates, so the input stays untouched. */
function copyState(state: RunState): RunState {
  // Shallow copies: applyEvent replaces (never mutates) the entries it changes.
  return {
    ...state,
    activities: { ...state.activities },
    children: { ...state.children },
    timers: { ...state.timers },
    externals: { ...state.externals },
    updates: { ...state.updates },
    completedUpdates: { ...state.completedUpdates },
    searchAttributes: { ...state.searchAttributes },
    workflowTask: state.workflowTask ? { ...state.workflowTask } : null,
  };
}

/**
 * Folds events into a run state and returns the new state. Event ids must continue the state's
 * `nextEventId` without a gap; anything else is a bug upstream and throws.
 */
export function applyEvents(state: RunState, events: readonly HistoryEvent[]): RunState {
  const next = copyState(state);
  for (const event of events) {
    if (event.eventId !== next.nextEventId) {
      throw new RangeError(`Event id ${event.eventId} does not continue history at ${next.nextEventId}`);
    }
    applyEvent(next, event);
    next.nextEventId += 1;
  }
  return next;
}

/** True when no more events may be appended except by a new run. */
export function isClosed(state: RunState): boolean {
  return state.status !== 'Running';
}

/** The attributes after an upsert: a value sets its key, `null` removes it. */
export function applySearchAttributeUpdates(
  current: SearchAttributes,
  updates: SearchAttributeUpdates,
): SearchAttributes {
  const next = { ...current };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

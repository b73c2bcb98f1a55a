import type { FailureInfo, TimeoutType } from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import type { HistoryEvent, WorkflowIdReusePolicyName } from '../engine/events.ts';
import type { ExecutionStatus, RunState } from '../engine/run-state.ts';

/**
 * The ports every runtime service works through. Two adapters implement each: `memory/` (tests,
 * time skipping) and `dynamodb/` + `sqs/` (the cloud and the embedded local stack).
 */

/** Identifies one run. Every key a store writes carries the namespace. */
export interface RunRef {
  namespace: string;
  workflowId: string;
  runId: string;
}

/** A run's first events and state, written together with the workflow-id claim. */
export interface NewRun {
  state: RunState;
  events: HistoryEvent[];
}

/** One conditional append: events after `expectedNextEventId`, and the state they lead to. */
export interface AppendRequest {
  namespace: string;
  runId: string;
  expectedNextEventId: number;
  events: HistoryEvent[];
  state: RunState;
  /** Continue-as-new: the next run, created in the same atomic write that closes this one. */
  newRun?: NewRun;
}

/** A page of history. */
export interface HistoryPage {
  events: HistoryEvent[];
  nextPageToken?: string;
}

/** What `list` and `describe` show of a run. */
export interface RunSummary {
  namespace: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: ExecutionStatus;
  startTime: number;
  closeTime?: number;
  historyLength: number;
  searchAttributes: RunState['searchAttributes'];
  memo: Record<string, Payload>;
  parent?: RunState['parent'];
}

/** The last reported progress of an activity attempt (not part of history). */
export interface HeartbeatRecord {
  attempt: number;
  time: number;
  details?: Payload;
}

/** Why the latest workflow task failed, shown by `describe` while the run is stuck. */
export interface WorkflowTaskFailureRecord {
  attempt: number;
  time: number;
  eventId: number;
  /**
   * DeadLettered: a task of the run kept failing and its message moved to the dead-letter queue.
   * UnknownTaskQueue: the router could not send a task of the run (event `eventId`) to its task
   * queue, because no worker serves it; the task was set aside.
   */
  cause: WorkflowTaskFailureCause;
  failure: FailureInfo;
  /** When the one pending retry of this workflow task is due (absent: none was scheduled). */
  retryAt?: number;
}

export const WORKFLOW_TASK_FAILURE_CAUSES = [
  'WorkflowError',
  'NonDeterminism',
  'UnknownWorkflowType',
  'DeadLettered',
  'UnknownTaskQueue',
] as const;

export type WorkflowTaskFailureCause = (typeof WORKFLOW_TASK_FAILURE_CAUSES)[number];

/** A committed batch as the history stream delivers it to the router. */
export interface CommittedBatch {
  namespace: string;
  workflowId: string;
  runId: string;
  taskQueue: string;
  events: HistoryEvent[];
  /** The run's state after the batch (the head item's snapshot). */
  state: RunState;
}

/** The history table and its side records. */
export interface HistoryStore {
  /**
   * Creates a run and claims its workflow id under the reuse policy, atomically; throws
   * `WorkflowExecutionAlreadyStartedError` when the policy forbids it. `terminate`, for
   * TERMINATE_IF_RUNNING, closes the running run in the same write.
   */
  createRun(run: NewRun, reusePolicy: WorkflowIdReusePolicyName, terminate?: AppendRequest): Promise<void>;
  /** Appends events at the run's head; throws `HistoryConflictError` if the head moved. */
  append(request: AppendRequest): Promise<void>;
  /** The run's state as of its last committed batch, or undefined. */
  getRun(namespace: string, runId: string): Promise<RunState | undefined>;
  /** The latest run id of a workflow id, or undefined. */
  getCurrentRunId(namespace: string, workflowId: string): Promise<string | undefined>;
  /** Events with id ≥ `fromEventId`, a page at a time. */
  readHistory(
    namespace: string,
    runId: string,
    fromEventId: number,
    pageToken?: string,
  ): Promise<HistoryPage>;
  /** Visibility: runs of a namespace, newest start first, filtered by `matches`. */
  listRuns(
    namespace: string,
    matches: (run: RunSummary) => boolean,
    pageSize: number,
    pageToken?: string,
  ): Promise<{ runs: RunSummary[]; nextPageToken?: string }>;
  setWorkflowTaskFailure(
    namespace: string,
    runId: string,
    failure: WorkflowTaskFailureRecord | null,
  ): Promise<void>;
  getWorkflowTaskFailure(namespace: string, runId: string): Promise<WorkflowTaskFailureRecord | undefined>;
  recordHeartbeat(
    namespace: string,
    runId: string,
    scheduledEventId: number,
    record: HeartbeatRecord,
  ): Promise<void>;
  /**
   * Marks every item of a closed run to expire at `expiresAt` (epoch ms): its history, records and,
   * if it still points at this run, its workflow-id claim. The table's TTL deletes them then.
   */
  expireRun(namespace: string, runId: string, expiresAt: number): Promise<void>;
  getHeartbeat(
    namespace: string,
    runId: string,
    scheduledEventId: number,
  ): Promise<HeartbeatRecord | undefined>;
}

/** Engine-side work that is neither workflow code nor activity code. */
export type SystemOp =
  | { type: 'fireTimer'; startedEventId: number }
  | {
      type: 'activityTimeout';
      scheduledEventId: number;
      attempt: number;
      timeoutType: TimeoutType;
      attemptStartTime?: number;
    }
  | { type: 'cancelActivity'; scheduledEventId: number }
  | { type: 'runTimeout' }
  | { type: 'startChild'; initiatedEventId: number }
  | { type: 'signalExternal'; initiatedEventId: number }
  | { type: 'cancelExternal'; initiatedEventId: number }
  | { type: 'notifyParent' }
  | { type: 'expireRun' }
  | { type: 'applyParentClosePolicy' };

/** A unit of work on a queue. */
export type Task =
  | { kind: 'workflow'; ref: RunRef; taskQueue: string; scheduledEventId: number; attempt?: number }
  | {
      kind: 'activity';
      ref: RunRef;
      taskQueue: string;
      scheduledEventId: number;
      attempt: number;
      /** The activity's input, carried in the message when small, so the worker need not read it from history. */
      input?: Payload[];
    }
  | { kind: 'system'; ref: RunRef; op: SystemOp };

/** A task and when it is due (epoch ms; absent = now). */
export interface DispatchItem {
  task: Task;
  dueTime?: number;
}

/** Task queues: workflow and activity queues per task queue, and the engine's system (timer) queue. */
export interface TaskDispatch {
  dispatch(items: DispatchItem[]): Promise<void>;
}

/** Time, as the runtime may read it. The time-skipping environment's clock is virtual. */
export interface Clock {
  now(): number;
  /**
   * Resolves after `ms` of clock time, or rejects with the signal's reason. `idle` marks a wait that
   * lets a time-skipping clock move on (an activity sleeping), as opposed to a watchdog.
   */
  sleep(ms: number, options?: { signal?: AbortSignal; idle?: boolean }): Promise<void>;
}

/** A query or update that must run where the workflow code is: on the task queue's worker. */
export type WorkerRequest =
  | { kind: 'query'; ref: RunRef; queryName: string; input: Payload[] }
  | { kind: 'update'; ref: RunRef; updateId: string; updateName: string; input: Payload[] };

export type WorkerResponse =
  | { kind: 'query'; result: Payload }
  | { kind: 'update'; accepted: true }
  | { kind: 'update'; accepted: false; failure: FailureInfo };

/** Reaches a task queue's worker synchronously (in-process, or a Lambda invoke in the cloud). */
export interface WorkerInvoker {
  invoke(taskQueue: string, request: WorkerRequest): Promise<WorkerResponse>;
}

import type { FailureInfo, TimeoutType } from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import type { HistoryPage } from '../common/wire/history-page.ts';
import type { RunPage, RunSummary } from '../common/wire/run-summary.ts';
import type { WorkflowTaskFailure } from '../common/wire/workflow-task-failure.ts';
import type { HistoryEvent, WorkflowIdReusePolicyName } from '../engine/events.ts';
import type { RunState } from '../engine/run-state.ts';
import type { ScheduleRecord } from '../engine/schedule-record.ts';

// The API's shapes, named here too for code that reads them with the ports.
export type { HistoryPage } from '../common/wire/history-page.ts';
export type { RunSummary } from '../common/wire/run-summary.ts';
export {
  WORKFLOW_TASK_FAILURE_CAUSES,
  type WorkflowTaskFailureCause,
} from '../common/wire/workflow-task-failure.ts';

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

/** A page of a run's history as the store reads it: the API's page before it names the run. */
export type EventPage = Omit<HistoryPage, 'runId'>;

/** The last reported progress of an activity attempt (not part of history). */
export interface HeartbeatRecord {
  attempt: number;
  time: number;
  details?: Payload;
}

/**
 * Why the latest workflow task failed, as the store keeps it and `describe` shows it while the run
 * is stuck: the API's workflow-task failure without `final`, which only a waiting `result` judges.
 */
export type WorkflowTaskFailureRecord = Omit<WorkflowTaskFailure, 'final'>;

export interface ExpiryOptions {
  /** Wall-clock time (epoch ms) by which the call returns, done or not. @default no limit */
  stopBy?: number;
}

export interface ExpiryResult {
  /** False when the call stopped at `stopBy` with items left to extend. */
  done: boolean;
}

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
   * Creates a run and claims its workflow id under the reuse policy; throws
   * `WorkflowExecutionAlreadyStartedError` when the policy forbids it. All or nothing as far as
   * anyone can read: a store may write the claim and the run apart (DynamoDB's does), but a claim
   * left without its run by a failed or dead start names no run that can be read or listed, and a
   * later start takes it over; `HistoryConflictError` means try again with a new run id.
   * `terminate`, for TERMINATE_IF_RUNNING, closes the running run in the same write.
   *
   * `dispatchFirst`, the new run's first tasks sent by the starter itself: a store that can spare
   * the router the run's first batch calls it once the id is claimed and before that batch is
   * written (so a crash cannot lose the tasks; they may reach a worker before the batch does, see
   * `beforeCommit`), and marks the batch idle for the router if it answers true (sent); a store
   * that routes every batch (the memory store) leaves it uncalled, and the router sends them.
   */
  createRun(
    run: NewRun,
    reusePolicy: WorkflowIdReusePolicyName,
    terminate?: AppendRequest,
    dispatchFirst?: () => Promise<boolean>,
  ): Promise<void>;
  /**
   * Makes sure a run that has no history now never gets any (a start that claimed its id and died,
   * or stalls, before its first batch): true if so, false if the run has history after all.
   */
  voidStart(namespace: string, runId: string): Promise<boolean>;
  /** Appends events at the run's head; throws `HistoryConflictError` if the head moved. */
  append(request: AppendRequest): Promise<void>;
  /** The run's state as of its last committed batch, or undefined. */
  getRun(namespace: string, runId: string): Promise<RunState | undefined>;
  /** The latest run id of a workflow id, or undefined. */
  getCurrentRunId(namespace: string, workflowId: string): Promise<string | undefined>;
  /** Events with id ≥ `fromEventId`, a page at a time. */
  readHistory(namespace: string, runId: string, fromEventId: number, pageToken?: string): Promise<EventPage>;
  /**
   * The router's visibility backstop: given a committed batch from the stream, makes sure the run's
   * visibility record shows it, should the committer have died between its commit and that record.
   */
  settleVisibility(batch: CommittedBatch): Promise<void>;
  /**
   * Visibility: runs of a namespace, newest start first, filtered by `matches`; with `started`, only
   * the runs started in `[from, before)` (the retention's renewal sweep reads one day's starts).
   */
  listRuns(
    namespace: string,
    matches: (run: RunSummary) => boolean,
    pageSize: number,
    pageToken?: string,
    started?: StartWindow,
  ): Promise<RunPage>;
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
   * Makes every item of a run live at least until `keepUntil` (epoch ms): its history, records and,
   * if it still points at this run, its workflow-id claim; expiries only grow. Items get an expiry
   * when written (`retention.ts`), so this is needed only where that one falls short: a long run's
   * close, an open run's renewal. Works in bounded pieces: past `stopBy` it returns
   * `{ done: false }`, and a later call resumes.
   */
  expireRun(ref: RunRef, keepUntil: number, options?: ExpiryOptions): Promise<ExpiryResult>;
  getHeartbeat(
    namespace: string,
    runId: string,
    scheduledEventId: number,
  ): Promise<HeartbeatRecord | undefined>;
}

/** A span of start times (epoch ms): `from` inclusive, `before` exclusive. */
export interface StartWindow {
  from: number;
  before: number;
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
  /**
   * The first retention renewal of a namespace's runs started in `[startedFrom, startedBefore)`
   * (`backend/retention.ts`): those still open get an `expireRun` each. The ref names the namespace
   * (its workflowId and runId name the sweep). `pageToken`: where a sweep that ran out of time stopped.
   */
  | { type: 'renewOpenRuns'; startedFrom: number; startedBefore: number; pageToken?: string }
  | { type: 'applyParentClosePolicy' }
  /** A cron workflow's run has waited out its backoff: give it its first workflow task. */
  | { type: 'cronStart' }
  /**
   * A schedule's tick (the ref names its namespace; its workflowId is the schedule id). `token`:
   * the wake it was sent for; a tick whose token the schedule no longer waits for is stale. No
   * token: a poke (an API call, a started run closing) that looks at the schedule now.
   */
  | { type: 'scheduleTick'; scheduleId: string; token?: string };

/** A unit of work on a queue. */
export type Task =
  | {
      kind: 'workflow';
      ref: RunRef;
      taskQueue: string;
      scheduledEventId: number;
      attempt?: number;
      /**
       * Sent while an eager chain holds the run (sdk/runtime/eager-chain.ts): it does not queue
       * behind the run's other workflow tasks (its own FIFO message group), since the message that
       * anchors the chain holds the run's group until the chain ends. The conditional append still
       * orders the two.
       */
      besideEager?: boolean;
      /**
       * Sent by a start before it wrote the run's first batch (`HistoryStore.createRun`'s
       * `dispatchFirst`): a worker that finds no run yet waits for the batch, and on a redelivery
       * voids a start that never wrote it (`voidStart`).
       */
      beforeCommit?: boolean;
    }
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

/**
 * A queue where work is set aside: a dead-letter queue (with the queue it serves, where a redrive
 * sends its messages back), or the router's failure destination (no source: a redrive re-routes
 * the stream records its messages name).
 */
export interface ParkingQueue {
  /** The definition's id (`act-orders-dlq`, `router-failures`). */
  id: string;
  /** The physical queue name. */
  name: string;
  /** Id of the queue its messages came from; undefined for the router's failure destination. */
  sourceId?: string;
}

/** A message received from a parking queue: invisible to others until released, returned or removed. */
export interface ParkedMessage {
  queue: ParkingQueue;
  messageId: string;
  body: string;
  receiveCount: number;
  /** Epoch ms the message was first sent (SQS keeps it across a move to the DLQ). */
  sentTime: number;
  /** FIFO: the message group (the run) it was sent with. */
  groupId?: string;
  /** FIFO: its deduplication id. */
  deduplicationId?: string;
  receiptHandle: string;
  /** A DLQ's message as the task it carries; undefined for a router failure or a malformed body. */
  item?: DispatchItem;
}

/** The engine's dead-letter queues and the router's failure destination (`cairn dlq`). */
export interface DeadLetterQueues {
  /** Every parking queue of the engine: the system queue's and each task queue's DLQs, the router's. */
  queues(): ParkingQueue[];
  /** Receives up to `max` messages, each kept invisible for `holdSeconds` unless released sooner. */
  receive(queue: ParkingQueue, max: number, holdSeconds: number): Promise<ParkedMessage[]>;
  /** Makes received messages visible again at once. */
  release(messages: readonly ParkedMessage[]): Promise<void>;
  /** Sends a DLQ message back to its source queue (same body and message group), then deletes it. */
  returnToSource(message: ParkedMessage): Promise<void>;
  /** Deletes a received message. */
  remove(message: ParkedMessage): Promise<void>;
  /** Reads a router failure message; `InvalidArgumentError` if it is not one. */
  readStreamFailure(message: ParkedMessage): Promise<StreamFailureRecord>;
}

/** What a router failure message says. */
export interface StreamFailureRecord {
  /** Why, as far as the failure destination knows (Lambda records the condition, not the error). */
  reason: string;
  /** Epoch ms the mapping gave up. */
  failedTime?: number;
  /**
   * The committed batches it names, read back from the history stream; undefined when the stream
   * no longer holds them (DynamoDB keeps stream records 24 hours).
   */
  batches: CommittedBatch[] | undefined;
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

/**
 * What must run where the workflow code is, on the task queue's worker, while the caller waits: a
 * query, an update, or a run's pending workflow task (eager start, update-with-start), which skips
 * the stream and queue hop (the queued message that follows finds nothing left to do).
 */
export type WorkerRequest =
  | { kind: 'query'; ref: RunRef; queryName: string; input: Payload[] }
  | { kind: 'update'; ref: RunRef; updateId: string; updateName: string; input: Payload[] }
  | { kind: 'workflowTask'; ref: RunRef };

export type WorkerResponse =
  | { kind: 'query'; result: Payload }
  | { kind: 'update'; accepted: true }
  | { kind: 'update'; accepted: false; failure: FailureInfo }
  | { kind: 'workflowTask'; outcome: 'committed' | 'noop' | 'failed' };

/** Reaches a task queue's worker synchronously (in-process, or a Lambda invoke in the cloud). */
export interface WorkerInvoker {
  invoke(taskQueue: string, request: WorkerRequest): Promise<WorkerResponse>;
}

/** A page of schedules, by schedule id. */
export interface ScheduleRecordPage {
  schedules: ScheduleRecord[];
  nextPageToken?: string;
}

/** Where schedules live (the executions table in the cloud). */
export interface ScheduleStore {
  getSchedule(namespace: string, scheduleId: string): Promise<ScheduleRecord | undefined>;
  /**
   * Writes a schedule with `version` one above `expectedVersion`: without it, a create that throws
   * `ScheduleAlreadyRunning` if the id is taken; with it, an update that throws
   * `HistoryConflictError` if the stored version is another.
   */
  putSchedule(record: ScheduleRecord, expectedVersion?: number): Promise<ScheduleRecord>;
  /** Deletes a schedule; false if there was none. */
  deleteSchedule(namespace: string, scheduleId: string): Promise<boolean>;
  listSchedules(namespace: string, pageSize: number, pageToken?: string): Promise<ScheduleRecordPage>;
}

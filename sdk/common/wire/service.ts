import type { Payload } from '../payload.ts';
import type { ActivityOutcome, HeartbeatActivityResponse } from './activity-completion.ts';
import type { DeadLetterServiceApi } from './dead-letters.ts';
import type { WorkflowDescription } from './description.ts';
import type { HistoryPage } from './history-page.ts';
import type { UpdateResponse } from './messages.ts';
import type { RunOutcome } from './outcome.ts';
import type { RunPage } from './run-summary.ts';
import type { ScheduleServiceApi } from './schedule.ts';
import type { StartRequest, StartResult } from './start.ts';
import type {
  UpdatePollResponse,
  UpdateWithStartRequest,
  UpdateWithStartResult,
} from './update-with-start.ts';

/**
 * The operations of the HTTP API, transport-free: what a client needs from the engine. The HTTP
 * transport speaks them over the wire, the API handler serves them, and the engine's
 * `WorkflowService` implements them in-process.
 */
export interface WorkflowServiceApi extends ScheduleServiceApi, DeadLetterServiceApi {
  start(request: StartRequest): Promise<StartResult>;
  /** Signal-with-start: signals the running workflow, or starts it with the signal. */
  signalWithStart(
    request: StartRequest & { signal: { name: string; input: Payload[] } },
  ): Promise<StartResult>;
  describe(namespace: string, workflowId: string, runId?: string): Promise<WorkflowDescription>;
  history(namespace: string, workflowId: string, runId?: string, pageToken?: string): Promise<HistoryPage>;
  /**
   * The run's outcome, waiting up to `waitMs` (at most `MAX_WAIT_MS`) for it to close; given
   * `reportedFailureTime`, the wait also ends when a newer workflow-task failure is recorded.
   */
  result(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    waitMs: number,
    options?: { reportedFailureTime?: number },
  ): Promise<RunOutcome>;
  /** Records a signal; a retry with the same `requestId` is recorded once. */
  signal(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    signalName: string,
    input: Payload[],
    requestId?: string,
  ): Promise<void>;
  cancel(
    namespace: string,
    workflowId: string,
    runId?: string,
    reason?: string,
    requestId?: string,
  ): Promise<void>;
  terminate(
    namespace: string,
    workflowId: string,
    runId?: string,
    reason?: string,
    requestId?: string,
  ): Promise<void>;
  query(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    queryName: string,
    input: Payload[],
  ): Promise<Payload>;
  /** Runs an update and waits up to `waitMs` for its outcome; resend `updateId` to keep waiting. */
  update(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    updateName: string,
    input: Payload[],
    updateId?: string,
    waitMs?: number,
  ): Promise<UpdateResponse>;
  /**
   * An update's stage and outcome by its id, waiting up to `waitMs` for it to reach `waitForStage`;
   * `WorkflowUpdateNotFoundError` if the run has no such update.
   */
  pollUpdate(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    updateId: string,
    waitForStage: 'ACCEPTED' | 'COMPLETED',
    waitMs?: number,
  ): Promise<UpdatePollResponse>;
  /** Update-with-start: the run's start and the update's admission in one write (or the running run, by policy). */
  updateWithStart(request: UpdateWithStartRequest): Promise<UpdateWithStartResult>;
  list(namespace: string, query: string | undefined, pageSize?: number, pageToken?: string): Promise<RunPage>;
  /** Completes (or fails) an activity that threw `CompleteAsyncError`, by its task token. */
  completeActivity(namespace: string, taskToken: string, outcome: ActivityOutcome): Promise<void>;
  /** Records a heartbeat of an async activity; answers whether cancellation was requested. */
  heartbeatActivity(
    namespace: string,
    taskToken: string,
    details?: Payload,
  ): Promise<HeartbeatActivityResponse>;
}

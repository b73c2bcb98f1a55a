import { InvalidArgumentError } from '../common/errors.ts';
import type { Payload } from '../common/payload.ts';
import type {
  ActivityOutcome,
  CompleteActivityRequest,
  FailActivityRequest,
  HeartbeatActivityRequest,
  HeartbeatActivityResponse,
} from '../common/wire/activity-completion.ts';
import type { CloseWorkflowRequest } from '../common/wire/close.ts';
import type { DeadLetterFilter, DeadLetterPage, RedriveResult } from '../common/wire/dead-letters.ts';
import type { WorkflowDescription } from '../common/wire/description.ts';
import type { HistoryPage } from '../common/wire/history-page.ts';
import { MAX_WAIT_MS } from '../common/wire/limits.ts';
import type {
  QueryRequest,
  QueryResponse,
  SignalRequest,
  UpdateRequest,
  UpdateResponse,
} from '../common/wire/messages.ts';
import type { RunOutcome } from '../common/wire/outcome.ts';
import type { ResultsEntry } from '../common/wire/results.ts';
import type { RunPage } from '../common/wire/run-summary.ts';
import type {
  CreateScheduleRequest,
  ScheduleDescription,
  SchedulePage,
  SchedulePatch,
  UpdateScheduleRequest,
} from '../common/wire/schedule.ts';
import type { StartRequest, StartResult, StartWorkflowRequest } from '../common/wire/start.ts';
import type {
  UpdatePollResponse,
  UpdateWithStartBody,
  UpdateWithStartRequest,
  UpdateWithStartResult,
} from '../common/wire/update-with-start.ts';
import type { ConnectionOptions, WorkflowServiceApi } from './connection.ts';
import { errorFromResponse, HttpApiError, HttpRequester, newRequestId } from './http-requester.ts';
import { outcomeOf, ResultBatcher } from './result-batcher.ts';

/**
 * The client's side of the HTTP API: each operation is one request to the route API.md names,
 * and each error response becomes the error class the engine threw, so client code behaves the
 * same in-process and over HTTP.
 *
 * @example
 * const connection = new Connection(new HttpTransport({ address: 'http://127.0.0.1:4680' }));
 */
export class HttpTransport implements WorkflowServiceApi {
  private readonly api: HttpRequester;
  private readonly results: ResultBatcher;
  /** Set once the API refused the batch route: polls go one by one from then on. */
  private singleResults = false;

  constructor(
    options: ConnectionOptions & {
      address: string;
      /** @internal How the retry pauses are waited out (tests). */
      sleep?: (ms: number) => Promise<void>;
    },
  ) {
    this.api = new HttpRequester(options);
    this.results = new ResultBatcher(async (namespace, runs) => {
      const path = `${this.path(namespace)}/workflow-results`;
      const answer = await this.api.request<{ results: ResultsEntry[] }>(
        'POST',
        path,
        {},
        { runs },
        { idempotent: true },
      );
      return answer.results;
    });
  }

  start(request: StartRequest): Promise<StartResult> {
    const path = this.path(request.namespace, 'workflows');
    return this.api.request('POST', path, {}, startBody(request), { idempotent: true });
  }

  signalWithStart(
    request: StartRequest & { signal: { name: string; input: Payload[] } },
  ): Promise<StartResult> {
    const path = this.path(request.namespace, 'workflows');
    return this.api.request('POST', path, {}, startBody(request), { idempotent: true });
  }

  describe(namespace: string, workflowId: string, runId?: string): Promise<WorkflowDescription> {
    return this.api.request('GET', this.path(namespace, 'workflows', workflowId), { runId });
  }

  history(namespace: string, workflowId: string, runId?: string, pageToken?: string): Promise<HistoryPage> {
    return this.api.request('GET', this.path(namespace, 'workflows', workflowId, 'history'), {
      runId,
      pageToken,
    });
  }

  /**
   * One poll of the run's outcome; `WorkflowHandle.result()` asks again while the run is open. The
   * polls of every run this client awaits are batched (`ResultBatcher`), each answered at once
   * with the pause to take (`retryAfterMs`). An API without the batch route (404), or an IAM
   * policy that does not grant it (403), gets each poll as its own bounded long poll instead.
   */
  async result(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    waitMs: number,
    options: { reportedFailureTime?: number } = {},
  ): Promise<RunOutcome> {
    if (!this.singleResults) {
      let entry: ResultsEntry | undefined;
      try {
        entry = await this.results.poll(namespace, {
          workflowId,
          runId,
          reportedFailureTime: options.reportedFailureTime,
        });
      } catch (error) {
        const refused = error instanceof HttpApiError && (error.status === 403 || error.status === 404);
        if (!refused) throw error;
        this.singleResults = true;
      }
      if (entry) {
        return outcomeOf(entry, (status, body) =>
          errorFromResponse(
            status,
            body,
            '',
            `GET ${this.path(namespace, 'workflows', workflowId, 'result')}`,
          ),
        );
      }
    }
    const waitSeconds = Math.min(waitMs, MAX_WAIT_MS) / 1000;
    return this.api.request('GET', this.path(namespace, 'workflows', workflowId, 'result'), {
      runId,
      waitSeconds,
      reportedFailureTime: options.reportedFailureTime,
    });
  }

  async signal(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    signalName: string,
    input: Payload[],
    requestId: string = newRequestId(),
  ) {
    await this.api.request(
      'POST',
      this.path(namespace, 'workflows', workflowId, 'signals', signalName),
      { runId },
      { input, requestId } satisfies SignalRequest,
      { idempotent: true },
    );
  }

  async cancel(
    namespace: string,
    workflowId: string,
    runId?: string,
    reason?: string,
    requestId: string = newRequestId(),
  ) {
    const path = this.path(namespace, 'workflows', workflowId, 'cancel');
    const body = { reason, requestId } satisfies CloseWorkflowRequest;
    await this.api.request('POST', path, { runId }, body, { idempotent: true });
  }

  async terminate(
    namespace: string,
    workflowId: string,
    runId?: string,
    reason?: string,
    requestId: string = newRequestId(),
  ) {
    const path = this.path(namespace, 'workflows', workflowId, 'terminate');
    const body = { reason, requestId } satisfies CloseWorkflowRequest;
    await this.api.request('POST', path, { runId }, body, { idempotent: true });
  }

  async query(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    queryName: string,
    input: Payload[],
  ) {
    const path = this.path(namespace, 'workflows', workflowId, 'queries', queryName);
    const body = { input } satisfies QueryRequest;
    // A query only reads the workflow's state: sending it again is harmless.
    const response = await this.api.request<QueryResponse>('POST', path, { runId }, body, {
      idempotent: true,
    });
    return response.result;
  }

  update(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    updateName: string,
    input: Payload[],
    // The update id is the update's request id: the engine applies an update id once.
    updateId: string = newRequestId(),
    waitMs: number = MAX_WAIT_MS,
  ): Promise<UpdateResponse> {
    const path = this.path(namespace, 'workflows', workflowId, 'updates', updateName);
    const waitSeconds = Math.min(waitMs, MAX_WAIT_MS) / 1000;
    const body = { input, updateId } satisfies UpdateRequest;
    return this.api.request('POST', path, { runId, waitSeconds }, body, { idempotent: true });
  }

  pollUpdate(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    updateId: string,
    waitForStage: 'ACCEPTED' | 'COMPLETED',
    waitMs: number = MAX_WAIT_MS,
  ): Promise<UpdatePollResponse> {
    const path = this.path(namespace, 'workflows', workflowId, 'updates', updateId, 'outcome');
    const waitSeconds = Math.min(waitMs, MAX_WAIT_MS) / 1000;
    return this.api.request('GET', path, { runId, waitForStage, waitSeconds });
  }

  updateWithStart(request: UpdateWithStartRequest): Promise<UpdateWithStartResult> {
    const { start, update, ...rest } = request;
    // The update id makes a resend find the run and update the first attempt made: safe to retry.
    const body = {
      ...rest,
      start: startBody(start),
      update: { ...update, updateId: update.updateId ?? newRequestId() },
    } satisfies UpdateWithStartBody;
    return this.api.request('POST', this.path(start.namespace, 'update-with-start'), {}, body, {
      idempotent: true,
    });
  }

  list(
    namespace: string,
    query: string | undefined,
    pageSize?: number,
    pageToken?: string,
  ): Promise<RunPage> {
    return this.api.request('GET', this.path(namespace, 'workflows'), { query, pageSize, pageToken });
  }

  async completeActivity(namespace: string, taskToken: string, outcome: ActivityOutcome) {
    switch (outcome.type) {
      case 'completed':
        await this.api.request('POST', this.path(namespace, 'activities', 'complete'), {}, {
          taskToken,
          result: outcome.result,
        } satisfies CompleteActivityRequest);
        return;
      case 'failed':
        await this.api.request('POST', this.path(namespace, 'activities', 'fail'), {}, {
          taskToken,
          failure: outcome.failure,
        } satisfies FailActivityRequest);
        return;
      case 'timedOut':
      case 'canceled':
        throw new InvalidArgumentError(
          `An activity outcome of type '${outcome.type}' cannot be reported over the HTTP API; complete or fail it`,
        );
      default: {
        const unknown: never = outcome;
        throw new InvalidArgumentError(`Unknown activity outcome ${JSON.stringify(unknown)}`);
      }
    }
  }

  heartbeatActivity(
    namespace: string,
    taskToken: string,
    details?: Payload,
  ): Promise<HeartbeatActivityResponse> {
    const body = { taskToken, details } satisfies HeartbeatActivityRequest;
    // A heartbeat records the latest details: a second copy changes nothing.
    return this.api.request('POST', this.path(namespace, 'activities', 'heartbeat'), {}, body, {
      idempotent: true,
    });
  }

  createSchedule(namespace: string, request: CreateScheduleRequest): Promise<void> {
    return this.api.request('POST', this.path(namespace, 'schedules'), {}, request);
  }

  describeSchedule(namespace: string, scheduleId: string): Promise<ScheduleDescription> {
    return this.api.request('GET', this.path(namespace, 'schedules', scheduleId), {});
  }

  updateSchedule(namespace: string, scheduleId: string, request: UpdateScheduleRequest): Promise<void> {
    return this.api.request('POST', this.path(namespace, 'schedules', scheduleId, 'update'), {}, request);
  }

  patchSchedule(namespace: string, scheduleId: string, patch: SchedulePatch): Promise<void> {
    return this.api.request('POST', this.path(namespace, 'schedules', scheduleId, 'patch'), {}, patch);
  }

  deleteSchedule(namespace: string, scheduleId: string): Promise<void> {
    return this.api.request('DELETE', this.path(namespace, 'schedules', scheduleId), {});
  }

  listSchedules(namespace: string, pageSize?: number, pageToken?: string): Promise<SchedulePage> {
    return this.api.request('GET', this.path(namespace, 'schedules'), { pageSize, pageToken });
  }

  listDeadLetters(namespace: string, filter: DeadLetterFilter = {}): Promise<DeadLetterPage> {
    return this.api.request('GET', this.path(namespace, 'dlq'), { ...filter });
  }

  redriveDeadLetters(namespace: string, filter: DeadLetterFilter = {}): Promise<RedriveResult> {
    // Redriving again moves only what is still (or again) set aside: a retry is harmless.
    return this.api.request('POST', this.path(namespace, 'dlq', 'redrive'), {}, filter, { idempotent: true });
  }

  private path(namespace: string, ...segments: string[]): string {
    return ['/v1/namespaces', namespace, ...segments]
      .map((s, i) => (i === 0 ? s : encodeURIComponent(s)))
      .join('/');
  }
}

/** The start body the API takes (`StartWorkflowRequest`); parent links are set only by the engine. */
function startBody(request: StartRequest): StartWorkflowRequest {
  if (request.parent || request.parentClosePolicy) {
    throw new InvalidArgumentError(
      'parent and parentClosePolicy are set by the engine for child workflows only',
    );
  }
  return {
    workflowId: request.workflowId,
    workflowType: request.workflowType,
    taskQueue: request.taskQueue,
    input: request.input,
    workflowIdReusePolicy: request.workflowIdReusePolicy,
    workflowExecutionTimeoutMs: request.workflowExecutionTimeoutMs,
    workflowRunTimeoutMs: request.workflowRunTimeoutMs,
    memo: request.memo,
    searchAttributes: request.searchAttributes,
    cronSchedule: request.cronSchedule,
    requestEagerStart: request.requestEagerStart,
    signal: request.signal,
    // One id per start call, resent by every retry of it: the engine starts one run for it.
    requestId: request.requestId ?? newRequestId(),
  };
}

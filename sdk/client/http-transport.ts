import { rehydrateError } from '../common/error-codes.ts';
import { CairnError, InvalidArgumentError } from '../common/errors.ts';
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
import type { ErrorBody } from '../common/wire/error-body.ts';
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
import type { ConnectionOptions, RequestSigner, WorkflowServiceApi } from './connection.ts';
import { outcomeOf, ResultBatcher } from './result-batcher.ts';
import { parseRetryAfter, RetryPolicy, type RetryReason } from './retry-policy.ts';

/**
 * The API answered with an error this client has no class for (an unknown route, a gateway's own
 * refusal such as 403 from IAM authorization), or could not be reached (`code` 'Unavailable').
 */
export class HttpApiError extends CairnError {
  override readonly name = 'HttpApiError';
  constructor(
    override readonly code: string,
    /** The HTTP status, or 0 when no response arrived. */
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

// Checked by hand, not with the schema: the client does not load zod.
function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as { error?: Partial<ErrorBody['error']> } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

function errorFromResponse(status: number, body: unknown, raw: string, request: string): CairnError {
  if (isErrorBody(body)) {
    // The API's error codes (`functions/api/errors.ts`) back to the classes the engine threw.
    const { code, message, ...details } = body.error;
    return rehydrateError(code, message, details) ?? new HttpApiError(code, status, message);
  }
  // Not the API's own error shape: API Gateway answers some refusals itself, e.g. {"message":"Forbidden"}.
  const said = text((body as { message?: unknown } | null)?.message) ?? raw.slice(0, 200);
  const hint =
    status === 403
      ? ' (is the request signed? pass `signer: sigv4Signer({ region })` for IAM authorization)'
      : '';
  return new HttpApiError(
    `Http${status}`,
    status,
    `${request} failed with HTTP ${status}: ${said || 'no body'}${hint}`,
  );
}

type Query = Record<string, string | number | undefined>;

/** A fresh request id (Temporal's `requestId`): one per logical request, the same on each retry. */
function newRequestId(): string {
  return globalThis.crypto.randomUUID();
}

/** Error codes after which the engine wrote nothing, so the very request may be sent again. */
const TRANSIENT_CODES = new Set(['HistoryConflict', 'Timeout']);
const THROTTLING_CODES = new Set(['Throttled']);
/** Error codes after which the request may or may not have been applied: resent only if idempotent. */
const UNKNOWN_OUTCOME_CODES = new Set(['WorkerUnavailable']);
/**
 * A gateway's own answers when the function could not run or answer (throttled, crashed, timed
 * out), and 408: a server or proxy too busy to read the whole request in time.
 */
const GATEWAY_RETRY_STATUSES = new Set([408, 500, 502, 503, 504]);

/** Why a failed response may be retried, or undefined if it may not. */
function retryReason(status: number, body: unknown): RetryReason | undefined {
  if (isErrorBody(body)) {
    const { code, retryable } = body.error as ErrorBody['error'] & { retryable?: boolean };
    if (THROTTLING_CODES.has(code) || status === 429) return 'throttled';
    if (retryable === true || TRANSIENT_CODES.has(code)) return 'transient';
    if (UNKNOWN_OUTCOME_CODES.has(code)) return 'unknown';
    // The engine's own answer: it ran the request and refused it.
    return undefined;
  }
  if (status === 429) return 'throttled';
  // API Gateway answers a throttled Lambda with its own 500: back off as from throttling.
  return GATEWAY_RETRY_STATUSES.has(status) ? 'unknown' : undefined;
}

/** How a request may be retried: a read or a request with a request id may be resent after any failure. */
interface RequestOptions {
  /** Whether applying the request twice is harmless (a read, or the engine dedupes its request id). */
  idempotent: boolean;
}

/**
 * The client's side of the HTTP API: each operation is one request to the route API.md names,
 * and each error response becomes the error class the engine threw, so client code behaves the
 * same in-process and over HTTP.
 *
 * @example
 * const connection = new Connection(new HttpTransport({ address: 'http://127.0.0.1:4680' }));
 */
export class HttpTransport implements WorkflowServiceApi {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly signer: RequestSigner | undefined;
  private readonly fetch: typeof fetch;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
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
    let url: URL;
    try {
      url = new URL(options.address);
    } catch {
      throw new InvalidArgumentError(
        `Endpoint '${options.address}' is not a URL; expected e.g. http://127.0.0.1:4680`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InvalidArgumentError(`Endpoint '${options.address}' must be an http:// or https:// URL`);
    }
    if (url.search || url.hash) {
      throw new InvalidArgumentError(
        `Endpoint '${options.address}' must not have a query string or fragment`,
      );
    }
    // A base path (an API Gateway stage, a proxy prefix) is kept; the routes go under it.
    this.base = url.href.replace(/\/+$/, '');
    this.headers = { ...options.headers };
    this.signer = options.signer;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.retry = new RetryPolicy(options.retry);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.results = new ResultBatcher(async (namespace, runs) => {
      const path = `${this.path(namespace)}/workflow-results`;
      const answer = await this.request<{ results: ResultsEntry[] }>(
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
    return this.request('POST', path, {}, startBody(request), { idempotent: true });
  }

  signalWithStart(
    request: StartRequest & { signal: { name: string; input: Payload[] } },
  ): Promise<StartResult> {
    const path = this.path(request.namespace, 'workflows');
    return this.request('POST', path, {}, startBody(request), { idempotent: true });
  }

  describe(namespace: string, workflowId: string, runId?: string): Promise<WorkflowDescription> {
    return this.request('GET', this.path(namespace, 'workflows', workflowId), { runId });
  }

  history(namespace: string, workflowId: string, runId?: string, pageToken?: string): Promise<HistoryPage> {
    return this.request('GET', this.path(namespace, 'workflows', workflowId, 'history'), {
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
    return this.request('GET', this.path(namespace, 'workflows', workflowId, 'result'), {
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
    await this.request(
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
    await this.request('POST', path, { runId }, body, { idempotent: true });
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
    await this.request('POST', path, { runId }, body, { idempotent: true });
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
    const response = await this.request<QueryResponse>('POST', path, { runId }, body, { idempotent: true });
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
    return this.request('POST', path, { runId, waitSeconds }, body, { idempotent: true });
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
    return this.request('GET', path, { runId, waitForStage, waitSeconds });
  }

  updateWithStart(request: UpdateWithStartRequest): Promise<UpdateWithStartResult> {
    const { start, update, ...rest } = request;
    // The update id makes a resend find the run and update the first attempt made: safe to retry.
    const body = {
      ...rest,
      start: startBody(start),
      update: { ...update, updateId: update.updateId ?? newRequestId() },
    } satisfies UpdateWithStartBody;
    return this.request('POST', this.path(start.namespace, 'update-with-start'), {}, body, {
      idempotent: true,
    });
  }

  list(
    namespace: string,
    query: string | undefined,
    pageSize?: number,
    pageToken?: string,
  ): Promise<RunPage> {
    return this.request('GET', this.path(namespace, 'workflows'), { query, pageSize, pageToken });
  }

  async completeActivity(namespace: string, taskToken: string, outcome: ActivityOutcome) {
    switch (outcome.type) {
      case 'completed':
        await this.request('POST', this.path(namespace, 'activities', 'complete'), {}, {
          taskToken,
          result: outcome.result,
        } satisfies CompleteActivityRequest);
        return;
      case 'failed':
        await this.request('POST', this.path(namespace, 'activities', 'fail'), {}, {
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
    return this.request('POST', this.path(namespace, 'activities', 'heartbeat'), {}, body, {
      idempotent: true,
    });
  }

  createSchedule(namespace: string, request: CreateScheduleRequest): Promise<void> {
    return this.request('POST', this.path(namespace, 'schedules'), {}, request);
  }

  describeSchedule(namespace: string, scheduleId: string): Promise<ScheduleDescription> {
    return this.request('GET', this.path(namespace, 'schedules', scheduleId), {});
  }

  updateSchedule(namespace: string, scheduleId: string, request: UpdateScheduleRequest): Promise<void> {
    return this.request('POST', this.path(namespace, 'schedules', scheduleId, 'update'), {}, request);
  }

  patchSchedule(namespace: string, scheduleId: string, patch: SchedulePatch): Promise<void> {
    return this.request('POST', this.path(namespace, 'schedules', scheduleId, 'patch'), {}, patch);
  }

  deleteSchedule(namespace: string, scheduleId: string): Promise<void> {
    return this.request('DELETE', this.path(namespace, 'schedules', scheduleId), {});
  }

  listSchedules(namespace: string, pageSize?: number, pageToken?: string): Promise<SchedulePage> {
    return this.request('GET', this.path(namespace, 'schedules'), { pageSize, pageToken });
  }

  listDeadLetters(namespace: string, filter: DeadLetterFilter = {}): Promise<DeadLetterPage> {
    return this.request('GET', this.path(namespace, 'dlq'), { ...filter });
  }

  redriveDeadLetters(namespace: string, filter: DeadLetterFilter = {}): Promise<RedriveResult> {
    // Redriving again moves only what is still (or again) set aside: a retry is harmless.
    return this.request('POST', this.path(namespace, 'dlq', 'redrive'), {}, filter, { idempotent: true });
  }

  private path(namespace: string, ...segments: string[]): string {
    return ['/v1/namespaces', namespace, ...segments]
      .map((s, i) => (i === 0 ? s : encodeURIComponent(s)))
      .join('/');
  }

  /**
   * Sends one request, retrying what may pass (`RetryPolicy`): throttling and the engine's
   * transient errors always (nothing was applied), a gateway's 5xx or a lost connection only for
   * an idempotent request (it may have been applied; its request id makes the retry harmless).
   */
  private async request<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Query,
    body?: object,
    options: RequestOptions = { idempotent: method === 'GET' },
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt<T>(method, path, query, body);
      if (outcome.ok) return outcome.value;
      const { reason, retryAfterMs, error } = outcome;
      const retryable = reason === 'throttled' || reason === 'transient' || options.idempotent;
      if (reason === undefined || !retryable || attempt >= this.retry.maxAttempts) throw error;
      await this.sleep(this.retry.delayMs(attempt, reason, retryAfterMs));
    }
  }

  private async attempt<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Query,
    body?: object,
  ): Promise<
    { ok: true; value: T } | { ok: false; error: CairnError; reason?: RetryReason; retryAfterMs?: number }
  > {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) search.set(name, String(value));
    const url = `${this.base}${path}${search.size > 0 ? `?${search}` : ''}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (this.signer)
      Object.assign(headers, await this.signer({ method, url, headers: { ...headers }, body: payload }));
    const described = `${method} ${path}`;
    let response: Response;
    try {
      response = await this.fetch(url, { method, headers, body: payload });
    } catch (error) {
      const unreachable = new HttpApiError(
        'Unavailable',
        0,
        `Could not reach the Cairn API at ${this.base}: ${(error as Error).message}`,
        { cause: error },
      );
      return { ok: false, error: unreachable, reason: 'unknown' };
    }
    const raw = await response.text();
    let parsed: unknown;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      return {
        ok: false,
        error: errorFromResponse(response.status, parsed, raw, described),
        reason: retryReason(response.status, parsed),
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      };
    }
    if (response.status === 204) return { ok: true, value: undefined as T };
    if (parsed === undefined) {
      throw new HttpApiError(
        'InvalidResponse',
        response.status,
        `${described} answered without a JSON body: ${raw.slice(0, 200)}`,
      );
    }
    return { ok: true, value: parsed as T };
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

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

  constructor(options: ConnectionOptions & { address: string }) {
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
  }

  start(request: StartRequest): Promise<StartResult> {
    return this.request('POST', this.path(request.namespace, 'workflows'), {}, startBody(request));
  }

  signalWithStart(
    request: StartRequest & { signal: { name: string; input: Payload[] } },
  ): Promise<StartResult> {
    return this.request('POST', this.path(request.namespace, 'workflows'), {}, startBody(request));
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

  /** One bounded long poll; `WorkflowHandle.result()` asks again while the run is open. */
  result(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    waitMs: number,
    options: { reportedFailureTime?: number } = {},
  ): Promise<RunOutcome> {
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
  ) {
    await this.request(
      'POST',
      this.path(namespace, 'workflows', workflowId, 'signals', signalName),
      { runId },
      { input } satisfies SignalRequest,
    );
  }

  async cancel(namespace: string, workflowId: string, runId?: string, reason?: string) {
    await this.request('POST', this.path(namespace, 'workflows', workflowId, 'cancel'), { runId }, {
      reason,
    } satisfies CloseWorkflowRequest);
  }

  async terminate(namespace: string, workflowId: string, runId?: string, reason?: string) {
    await this.request('POST', this.path(namespace, 'workflows', workflowId, 'terminate'), { runId }, {
      reason,
    } satisfies CloseWorkflowRequest);
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
    const response = await this.request<QueryResponse>('POST', path, { runId }, body);
    return response.result;
  }

  update(
    namespace: string,
    workflowId: string,
    runId: string | undefined,
    updateName: string,
    input: Payload[],
    updateId?: string,
    waitMs: number = MAX_WAIT_MS,
  ): Promise<UpdateResponse> {
    const path = this.path(namespace, 'workflows', workflowId, 'updates', updateName);
    const waitSeconds = Math.min(waitMs, MAX_WAIT_MS) / 1000;
    return this.request('POST', path, { runId, waitSeconds }, { input, updateId } satisfies UpdateRequest);
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
    const { start, ...rest } = request;
    const body = { ...rest, start: startBody(start) } satisfies UpdateWithStartBody;
    return this.request('POST', this.path(start.namespace, 'update-with-start'), {}, body);
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
    return this.request('POST', this.path(namespace, 'activities', 'heartbeat'), {}, body);
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

  private path(namespace: string, ...segments: string[]): string {
    return ['/v1/namespaces', namespace, ...segments]
      .map((s, i) => (i === 0 ? s : encodeURIComponent(s)))
      .join('/');
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Query,
    body?: object,
  ): Promise<T> {
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
      throw new HttpApiError(
        'Unavailable',
        0,
        `Could not reach the Cairn API at ${this.base}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const raw = await response.text();
    let parsed: unknown;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) throw errorFromResponse(response.status, parsed, raw, described);
    if (response.status === 204) return undefined as T;
    if (parsed === undefined) {
      throw new HttpApiError(
        'InvalidResponse',
        response.status,
        `${described} answered without a JSON body: ${raw.slice(0, 200)}`,
      );
    }
    return parsed as T;
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
  };
}

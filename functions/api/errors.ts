import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  CairnError,
  InvalidArgumentError,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  UnknownTaskQueueError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '../../sdk/common/errors.ts';
import type { ErrorBody } from '../../sdk/common/wire/error-body.ts';
import type { Logger } from '../../sdk/runtime/deps.ts';

/**
 * The one table from an error's stable `code` to the HTTP status the API answers with. Clients
 * map the code back to the same error class (`sdk/client/http-requester.ts`), so a caller sees
 * identical errors in-process and over HTTP. `retryable` marks errors after which nothing was
 * written, so the same request may simply be sent again.
 */
interface ErrorStatus {
  status: number;
  /** Nothing was written: the same request may simply be sent again (implies `retryAfter`). */
  retryable?: true;
  /** Answered with `Retry-After`: a fault of the moment, though the request may have been applied. */
  retryAfter?: true;
}

export const ERROR_STATUS = {
  InvalidArgument: { status: 400 },
  // A start named a task queue no worker serves: it would wait for ever.
  UnknownTaskQueue: { status: 400 },
  // The caller's token does not name the request's namespace (JWT `namespacesClaim`).
  NamespaceNotAllowed: { status: 403 },
  WorkflowNotFound: { status: 404 },
  ScheduleNotFound: { status: 404 },
  WorkflowUpdateNotFound: { status: 404 },
  RouteNotFound: { status: 404 },
  MethodNotAllowed: { status: 405 },
  WorkflowExecutionAlreadyStarted: { status: 409 },
  WorkflowExecutionClosed: { status: 409 },
  ScheduleAlreadyRunning: { status: 409 },
  PayloadTooLarge: { status: 413 },
  // The request was well-formed; the workflow's own code refused it.
  QueryRejected: { status: 422 },
  WorkflowUpdateFailed: { status: 422 },
  Internal: { status: 500 },
  // The run's history kept moving under every commit attempt; nothing was appended.
  HistoryConflict: { status: 503, retryable: true },
  // DynamoDB, SQS or S3 kept throttling the API after the AWS SDK's own retries: back off, resend.
  Throttled: { status: 429, retryable: true },
  Timeout: { status: 504, retryable: true },
  // The worker function died before answering a query or an update: resend (with the same update id).
  WorkerUnavailable: { status: 503, retryAfter: true },
} as const satisfies Record<string, ErrorStatus>;

/** The error codes the API answers with. */
export type ApiErrorCode = keyof typeof ERROR_STATUS;

/** The caller may not use this namespace: its token's namespace claim does not name it. */
export class NamespaceNotAllowedError extends CairnError {
  override readonly name = 'NamespaceNotAllowedError';
  override readonly code = 'NamespaceNotAllowed';
}

/** No route of the API has this path. */
export class RouteNotFoundError extends CairnError {
  override readonly name = 'RouteNotFoundError';
  override readonly code = 'RouteNotFound';
}

/** The path exists, but not for this HTTP method. */
export class MethodNotAllowedError extends CairnError {
  override readonly name = 'MethodNotAllowedError';
  override readonly code = 'MethodNotAllowed';
  constructor(
    message: string,
    readonly allow: readonly string[],
  ) {
    super(message);
  }
}

/** One problem found while validating a request, e.g. `{ path: 'body.workflowId', message: 'is required' }`. */
export interface RequestIssue {
  path: string;
  message: string;
}

/** A request that failed schema validation; `issues` lists every problem, not just the first. */
export class InvalidRequestError extends InvalidArgumentError {
  constructor(
    message: string,
    readonly issues: readonly RequestIssue[],
  ) {
    super(message);
  }
}

/** An AWS service refused a call for its rate or capacity (the SDK's own retries did not get through). */
export class ThrottledError extends CairnError {
  override readonly name = 'ThrottledError';
  override readonly code = 'Throttled';
  constructor(cause: Error) {
    super(`The engine's storage is throttling requests (${cause.name}); retry after a pause`, { cause });
  }
}

/** The error names AWS services throttle with (the AWS SDK's own list of throttling errors). */
const AWS_THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
]);

function isAwsThrottling(error: unknown): error is Error {
  return error instanceof Error && !(error instanceof CairnError) && AWS_THROTTLING_NAMES.has(error.name);
}

function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(ERROR_STATUS, code);
}

/** The fields beyond `code` and `message` that let a client rebuild the error or act on it. */
function detailsOf(error: CairnError): Record<string, unknown> {
  if (error instanceof WorkflowNotFoundError) return { workflowId: error.workflowId, runId: error.runId };
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return { workflowId: error.workflowId, workflowType: error.workflowType };
  }
  if (error instanceof InvalidRequestError) return { issues: error.issues };
  if (error instanceof ScheduleNotFoundError || error instanceof ScheduleAlreadyRunning)
    return { scheduleId: error.scheduleId };
  if (error instanceof UnknownTaskQueueError) {
    return { taskQueue: error.taskQueue, knownTaskQueues: error.knownTaskQueues };
  }
  if (error instanceof MethodNotAllowedError) return { allow: error.allow };
  return {};
}

function headersOf(error: CairnError, entry: ErrorStatus): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error instanceof MethodNotAllowedError) headers.allow = error.allow.join(', ');
  if (entry.retryable || entry.retryAfter) headers['retry-after'] = '1';
  return headers;
}

/**
 * An error the API answers as itself (one of {@link ERROR_STATUS}'s codes; AWS throttling as
 * `Throttled`): its status, body and headers. Undefined for anything else, which is a 500.
 */
export function apiError(
  error: unknown,
): { status: number; error: ErrorBody['error']; headers: Record<string, string> } | undefined {
  if (isAwsThrottling(error)) return apiError(new ThrottledError(error));
  if (!(error instanceof CairnError) || error.code === 'Internal' || !isApiErrorCode(error.code))
    return undefined;
  const entry: ErrorStatus = ERROR_STATUS[error.code];
  const retryable = entry.retryable === true;
  return {
    status: entry.status,
    error: { code: error.code, message: error.message, ...detailsOf(error), ...(retryable && { retryable }) },
    headers: headersOf(error, entry),
  };
}

/** Where an error response is produced: for the generic 500 message and the log line. */
export interface ErrorContext {
  logger: Logger;
  requestId: string | undefined;
  method: string;
  path: string;
}

/**
 * Turns anything thrown while serving a request into `{ "error": { "code", "message", ...details } }`
 * with the status of {@link ERROR_STATUS}. Errors outside the table become a 500 with a generic
 * message: their text and stack may hold internals, so they go to the log, never to the caller.
 */
export function errorResponse(error: unknown, context: ErrorContext): APIGatewayProxyStructuredResultV2 {
  const known = apiError(error);
  if (known) {
    return {
      statusCode: known.status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...known.headers },
      body: JSON.stringify({ error: known.error }),
    };
  }
  context.logger('error', 'API request failed', {
    requestId: context.requestId,
    method: context.method,
    path: context.path,
    error:
      error instanceof Error
        ? { name: error.name, message: error.message, stack: error.stack }
        : String(error),
  });
  const reference = context.requestId ? ` (request id ${context.requestId})` : '';
  return {
    statusCode: ERROR_STATUS.Internal.status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({
      error: { code: 'Internal', message: `Internal error${reference}; the API's logs have the details` },
    }),
  };
}

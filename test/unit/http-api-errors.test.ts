import {
  Client,
  InvalidArgumentError,
  QueryRejectedError,
  UnknownTaskQueueError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowExecutionClosedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from 'cairnflow/client';
import { type CairnError, DeterminismViolationError, PayloadTooLargeError } from 'cairnflow/common';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../functions/api/errors.ts';
import { createApiHandler } from '../../functions/api/handler.ts';
import type { ApiService } from '../../functions/api/router.ts';
import { inProcessFetch, toGatewayEvent } from '../../local/http-gateway-event.ts';
import {
  HistoryConflictError,
  TimeoutExpiredError,
  WorkerUnavailableError,
} from '../../sdk/common/errors.ts';
import type { Logger } from '../../sdk/runtime/deps.ts';

/** A service whose every operation throws `error`. */
function failingService(error: unknown): ApiService {
  return new Proxy({} as ApiService, {
    get: () => async () => {
      throw error;
    },
  });
}

function event(method: string, target: string, body?: string, headers: Record<string, string> = {}) {
  return toGatewayEvent({
    method,
    target,
    headers: { host: 'api.local', 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : Buffer.from(body),
  });
}

const describePath = '/v1/namespaces/default/workflows/order-1';

const engineErrors: [CairnError, number][] = [
  [new InvalidArgumentError('Task token belongs to another namespace'), 400],
  [new UnknownTaskQueueError('lons', ['loans', 'orders']), 400],
  [new WorkflowNotFoundError("Workflow 'order-1' not found in namespace 'default'", 'order-1', 'run-9'), 404],
  [
    new WorkflowExecutionAlreadyStartedError('Workflow order-1 is already running', 'order-1', 'orderFlow'),
    409,
  ],
  [new WorkflowExecutionClosedError("Workflow 'order-1' is completed; it takes no more signals"), 409],
  [new PayloadTooLargeError('Payload of 9 MB exceeds the 4 MB cap'), 413],
  [new QueryRejectedError("Query 'status' failed: boom"), 422],
  [new WorkflowUpdateFailedError("Update 'pay' was rejected: amount must be positive", undefined), 422],
  [new HistoryConflictError('Could not signal order-1: it kept changing'), 503],
  [new TimeoutExpiredError('Gave up waiting'), 504],
  [new WorkerUnavailableError("The worker function of task queue 'loans' failed before answering"), 503],
];

describe('HTTP API error table', () => {
  it.each(engineErrors)('answers %s with its status, code and message', async (error, status) => {
    const handler = createApiHandler(failingService(error));
    const response = await handler(event('GET', describePath));
    expect(response.statusCode).toBe(status);
    expect(ERROR_STATUS[error.code as keyof typeof ERROR_STATUS].status).toBe(status);
    expect(JSON.parse(response.body!)).toMatchObject({ error: { code: error.code, message: error.message } });
  });

  it('marks conflicts and timeouts retryable, with Retry-After', async () => {
    const handler = createApiHandler(failingService(new HistoryConflictError('kept changing')));
    const response = await handler(event('GET', describePath));
    expect(response.headers?.['retry-after']).toBe('1');
    expect(JSON.parse(response.body!).error.retryable).toBe(true);
  });

  it('hides an unexpected error behind a generic 500 and logs it with its stack', async () => {
    const logged: Parameters<Logger>[] = [];
    const handler = createApiHandler(
      failingService(new Error('connect ECONNREFUSED postgres://admin:hunter2@db')),
      {
        logger: (...entry) => logged.push(entry),
      },
    );
    const request = event('GET', describePath);
    const response = await handler(request);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body!)).toEqual({
      error: {
        code: 'Internal',
        message: `Internal error (request id ${request.requestContext.requestId}); the API's logs have the details`,
      },
    });
    expect(response.body).not.toContain('hunter2');
    expect(logged).toHaveLength(1);
    expect(logged[0]![2]).toMatchObject({
      requestId: request.requestContext.requestId,
      error: { message: expect.stringContaining('hunter2'), stack: expect.stringContaining('Error:') },
    });
  });

  it('treats an engine error that has no place in the table as internal', async () => {
    const error = new DeterminismViolationError('replay diverged', 5, 'ScheduleActivity', 'StartTimer');
    const handler = createApiHandler(failingService(error), { logger: () => {} });
    const response = await handler(event('GET', describePath));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('replay diverged');
  });

  it.each(engineErrors)('gives the client back the class the engine threw: %s', async (error) => {
    const client = new Client({
      endpoint: 'http://api.local',
      fetch: inProcessFetch(createApiHandler(failingService(error))),
      // The error as the first answer carries it (retries are client-retry.test.ts's subject).
      retry: { maxAttempts: 1 },
    });
    const received = await client.workflow
      .getHandle('order-1')
      .describe()
      .catch((e: unknown) => e);
    expect(received).toBeInstanceOf(error.constructor);
    expect(received).toMatchObject({ code: error.code, message: error.message });
    if (error instanceof WorkflowNotFoundError)
      expect(received).toMatchObject({ workflowId: 'order-1', runId: 'run-9' });
  });

  it('reports a gateway refusal that is not an API error with a hint, keeping the status', async () => {
    const forbidden: typeof fetch = async () => new Response('{"message":"Forbidden"}', { status: 403 });
    const client = new Client({
      endpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
      fetch: forbidden,
    });
    const error = await client.workflow
      .getHandle('order-1')
      .describe()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'HttpApiError', code: 'Http403', status: 403 });
    expect((error as Error).message).toMatch(
      /^GET \/v1\/namespaces\/default\/workflows\/order-1 failed with HTTP 403: Forbidden/,
    );
    expect((error as Error).message).toContain('sigv4Signer');
  });

  it('says which endpoint it could not reach', async () => {
    const refused: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    const client = new Client({ endpoint: 'http://127.0.0.1:9', fetch: refused, retry: { maxAttempts: 1 } });
    await expect(client.workflow.getHandle('order-1').describe()).rejects.toMatchObject({
      code: 'Unavailable',
      message: 'Could not reach the Cairn API at http://127.0.0.1:9: fetch failed',
    });
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    expect(() => new Client({ endpoint: 'localhost:4680' })).toThrow(
      /must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => new Client({ endpoint: 'not a url' })).toThrow(/is not a URL/);
  });
});

describe('HTTP API request decoding', () => {
  const notFound = createApiHandler(failingService(new WorkflowNotFoundError('not found', 'x')));

  it('strips a named stage from the path, as API Gateway keeps it in rawPath', async () => {
    const request = event('GET', '/prod/v1/openapi.json');
    request.requestContext.stage = 'prod';
    expect((await notFound(request)).statusCode).toBe(200);
  });

  it('tolerates a trailing slash', async () => {
    expect((await notFound(event('GET', `${describePath}/`))).statusCode).toBe(404);
    expect(JSON.parse((await notFound(event('GET', `${describePath}/`))).body!).error.code).toBe(
      'WorkflowNotFound',
    );
  });

  it('refuses a repeated query parameter instead of merging it', async () => {
    const response = await notFound(event('GET', `${describePath}?runId=a&runId=b`));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!).error.message).toBe("Query parameter 'runId' is given more than once");
  });

  it('refuses an unknown query parameter, naming the known ones', async () => {
    const response = await notFound(event('GET', `${describePath}?runid=a`));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!).error.message).toBe(
      'Invalid query string: runid is not a known query parameter; expected runId',
    );
  });

  it('refuses a path segment that is not valid percent-encoding', async () => {
    const response = await notFound(event('GET', '/v1/namespaces/default/workflows/%E0%A4%A'));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!).error.message).toContain(
      "Path segment '%E0%A4%A' is not valid percent-encoding",
    );
  });

  it('refuses a workflow id with control characters or over 1000 characters', async () => {
    const control = await notFound(event('GET', '/v1/namespaces/default/workflows/a%07b'));
    expect(JSON.parse(control.body!).error.message).toContain('workflowId');
    expect(JSON.parse(control.body!).error.message).toContain('must not contain control characters');
    const long = await notFound(event('GET', `/v1/namespaces/default/workflows/${'w'.repeat(1001)}`));
    expect(long.statusCode).toBe(400);
    expect(JSON.parse(long.body!).error.message).toContain('must be at most 1000 characters');
  });

  it('refuses a body that is JSON but not an object', async () => {
    const response = await notFound(event('POST', '/v1/namespaces/default/workflows', '[1, 2]'));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!).error.message).toBe(
      'Invalid request body: must be a JSON object (expected object, received array)',
    );
  });

  it('refuses an activity completion without a well-formed task token', async () => {
    const response = await notFound(
      event(
        'POST',
        '/v1/namespaces/default/activities/complete',
        JSON.stringify({ taskToken: 'not a token!' }),
      ),
    );
    expect(response.statusCode).toBe(400);
    const { message } = JSON.parse(response.body!).error;
    expect(message).toContain('taskToken must be a task token as activityInfo().taskToken gives it');
    expect(message).toContain('result is required');
  });

  it('refuses a nonsensical body limit when the handler is built', () => {
    expect(() => createApiHandler(failingService(undefined), { maxBodyBytes: 0 })).toThrow(
      /maxBodyBytes must be a positive/,
    );
  });
});

import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { activityInfo, CompleteAsyncError } from 'cairnflow/activity';
import {
  Client,
  InvalidArgumentError,
  QueryRejectedError,
  sigv4Signer,
  WorkflowExecutionAlreadyStartedError,
  WorkflowExecutionClosedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from 'cairnflow/client';
import { CancelledFailure, PayloadTooLargeError, TerminatedFailure } from 'cairnflow/common';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import {
  type ActivityFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
} from 'cairnflow/workflow';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiHandlerOptions, createApiHandler } from '../../functions/api/handler.ts';
import { startHttpGateway } from '../../local/http-gateway.ts';
import type { GatewayHandler } from '../../local/http-gateway-event.ts';

// ---- Workflows and activities under test ----

const approve = defineSignal<[approver: string]>('approve');
const note = defineSignal<[text: string]>('note');
const cartState = defineQuery<{ owner: string; items: string[]; notes: string[]; approvedBy?: string }>(
  'state',
);
const addItem = defineUpdate<number, [item: string]>('addItem');

/** A cart: items arrive by update (empty ones are rejected), notes by signal; approval closes it. */
async function cart(owner: string) {
  const items: string[] = [];
  const notes: string[] = [];
  let approvedBy: string | undefined;
  setHandler(cartState, () => ({ owner, items, notes, approvedBy }));
  setHandler(note, (text) => {
    notes.push(text);
  });
  setHandler(approve, (approver) => {
    approvedBy = approver;
  });
  setHandler(
    addItem,
    (item) => {
      items.push(item);
      return items.length;
    },
    {
      validator: (item) => {
        if (!item) throw new Error('an item must have a name');
      },
    },
  );
  await condition(() => approvedBy !== undefined);
  return { owner, items, notes, approvedBy };
}

const { noop } = proxyActivities<{ noop(i: number): Promise<number> }>({ startToCloseTimeout: '1 minute' });

/** Schedules `count` activities at once: three events each, so histories grow past one page. */
async function fanOut(count: number) {
  const results = await Promise.all(Array.from({ length: count }, (_, i) => noop(i)));
  return results.length;
}

const { chargeLater } = proxyActivities<{ chargeLater(order: string): Promise<string> }>({
  startToCloseTimeout: '1 hour',
  retry: { maximumAttempts: 1 },
});

/** Charges each order with an activity that a payment provider completes later, by task token. */
async function payment(orders: string[]) {
  const outcomes: string[] = [];
  for (const order of orders) {
    try {
      outcomes.push(await chargeLater(order));
    } catch (error) {
      outcomes.push(`failed: ${(error as ActivityFailure).cause?.message}`);
    }
  }
  return outcomes;
}

const workflows = { cart, fanOut, payment };

// ---- Fixtures ----

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface ApiFixture {
  env: TestWorkflowEnvironment;
  url: string;
  client: Client;
  /** Async-completion task tokens, in the order the activities started. */
  tokens: { order: string; taskToken: Uint8Array }[];
}

/** An in-memory engine behind the real API handler, served over HTTP on 127.0.0.1. */
async function startApi(
  options: ApiHandlerOptions & { wrap?: (handler: GatewayHandler) => GatewayHandler } = {},
): Promise<ApiFixture> {
  const tokens: ApiFixture['tokens'] = [];
  const activities = {
    async noop(i: number) {
      return i;
    },
    async chargeLater(order: string) {
      tokens.push({ order, taskToken: activityInfo().taskToken });
      throw new CompleteAsyncError();
    },
  };
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    workers: [{ taskQueue: 'shop', workflows, activities }],
  });
  cleanups.push(() => env.teardown());
  const handler = createApiHandler(env.engine.service, options);
  const gateway = await startHttpGateway({ handler: options.wrap ? options.wrap(handler) : handler });
  cleanups.push(() => gateway.stop());
  return { env, url: gateway.url, client: new Client({ endpoint: gateway.url }), tokens };
}

/** Polls until `probe` returns a value, failing after a deadline (never a bare sleep). */
async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

type ErrorBody = { error: { code: string; message: string; [detail: string]: unknown } };

async function send(
  url: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${url}${path}`, {
    method,
    body,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as ErrorBody) : undefined,
  };
}

const startBody = (workflowId: string, extra: object = {}) =>
  JSON.stringify({
    workflowId,
    workflowType: 'cart',
    taskQueue: 'shop',
    input: [{ metadata: { encoding: 'json/plain' }, data: '"ann"' }],
    ...extra,
  });

// ---- Behaviour through the client ----

describe('HTTP API through the client', () => {
  it('starts a workflow, answers queries, runs updates (a validator rejects one), takes a signal and returns the result', async () => {
    const { client } = await startApi();
    const handle = await client.workflow.start(cart, {
      taskQueue: 'shop',
      workflowId: 'cart-1',
      args: ['ann'],
    });

    expect(await handle.query(cartState)).toEqual({ owner: 'ann', items: [], notes: [] });
    expect(await handle.executeUpdate(addItem, { args: ['apple'] })).toBe(1);
    expect(await handle.executeUpdate(addItem, { args: ['pear'] })).toBe(2);
    const rejected = await handle.executeUpdate(addItem, { args: [''] }).catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((rejected as Error).message).toContain('an item must have a name');

    await handle.signal(approve, 'bob');
    expect(await handle.result()).toEqual({
      owner: 'ann',
      items: ['apple', 'pear'],
      notes: [],
      approvedBy: 'bob',
    });

    const description = await handle.describe();
    expect(description).toMatchObject({
      workflowId: 'cart-1',
      type: 'cart',
      taskQueue: 'shop',
      status: 'Completed',
    });
    expect(description.runId).toBe(handle.firstExecutionRunId);
    expect(description.closeTime).toBeInstanceOf(Date);
  });

  it('executes a workflow with memo and search attributes that describe and list show back', async () => {
    const { client } = await startApi();
    const handle = await client.workflow.start(cart, {
      taskQueue: 'shop',
      workflowId: 'cart-memo',
      args: ['cy'],
      memo: { channel: { name: 'web' } },
      searchAttributes: { CustomerId: 'cy', Total: 12.5 },
    });
    const description = await handle.describe();
    expect(description.memo).toEqual({ channel: { name: 'web' } });
    expect(description.searchAttributes).toEqual({ CustomerId: 'cy', Total: 12.5 });
    const [listed] = await collect(client.workflow.list({ query: "CustomerId = 'cy'" }));
    expect(listed).toMatchObject({ workflowId: 'cart-memo', memo: { channel: { name: 'web' } } });
  });

  it('signals-with-start: starts the workflow once, then signals the running run', async () => {
    const { client } = await startApi();
    const options = { taskQueue: 'shop', workflowId: 'cart-sws', args: ['dee'] as [string], signal: note };
    const first = await client.workflow.signalWithStart(cart, { ...options, signalArgs: ['gift wrap'] });
    const second = await client.workflow.signalWithStart(cart, { ...options, signalArgs: ['leave at door'] });
    expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
    expect((await first.query(cartState)).notes).toEqual(['gift wrap', 'leave at door']);
  });

  it('pages through a history longer than one page', async () => {
    const { client, url } = await startApi();
    const handle = await client.workflow.start(fanOut, {
      taskQueue: 'shop',
      workflowId: 'fan-out',
      args: [350],
    });
    expect(await handle.result()).toBe(350);

    const firstPage = await send(url, 'GET', '/v1/namespaces/default/workflows/fan-out/history');
    const page = firstPage.body as unknown as { events: { eventId: number }[]; nextPageToken?: string };
    expect(page.nextPageToken).toBeTypeOf('string');

    const { events } = await handle.fetchHistory();
    expect(events.length).toBeGreaterThan(page.events.length);
    expect(events.map((event) => event.eventId)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.type).toBe('WorkflowExecutionCompleted');
  });

  it('lists the workflows a visibility query matches, page by page', async () => {
    const { client, url } = await startApi();
    for (const id of ['cart-a', 'cart-b', 'cart-c']) {
      await client.workflow.start(cart, { taskQueue: 'shop', workflowId: id, args: [id] });
    }
    const done = await client.workflow.start(cart, {
      taskQueue: 'shop',
      workflowId: 'cart-done',
      args: ['x'],
    });
    await done.signal(approve, 'bob');
    await done.result();

    const query = "WorkflowType = 'cart' AND ExecutionStatus = 'Running'";
    const running = await collect(client.workflow.list({ query, pageSize: 2 }));
    expect(running.map((run) => run.workflowId).sort()).toEqual(['cart-a', 'cart-b', 'cart-c']);
    expect(running.every((run) => run.startTime instanceof Date)).toBe(true);

    const firstPage = await send(
      url,
      'GET',
      `/v1/namespaces/default/workflows?query=${encodeURIComponent(query)}&pageSize=2`,
    );
    expect(firstPage.body).toMatchObject({ runs: [{}, {}], nextPageToken: expect.any(String) });
  });

  it('cancels a workflow: its result is a failure caused by cancellation', async () => {
    const { client } = await startApi();
    const handle = await client.workflow.start(cart, {
      taskQueue: 'shop',
      workflowId: 'cart-cancel',
      args: ['eve'],
    });
    await handle.cancel('changed my mind');
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status).toBe('Canceled');
  });

  it('terminates a workflow, after which it takes no more signals', async () => {
    const { client } = await startApi();
    const handle = await client.workflow.start(cart, {
      taskQueue: 'shop',
      workflowId: 'cart-terminate',
      args: ['fay'],
    });
    await handle.terminate('fraud suspected');
    const error = await handle.result().catch((e: unknown) => e);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(TerminatedFailure);
    expect((error as WorkflowFailedError).cause.message).toBe('fraud suspected');
    await expect(handle.signal(approve, 'bob')).rejects.toBeInstanceOf(WorkflowExecutionClosedError);
  });

  it('completes and fails activities asynchronously by task token, with heartbeats in between', async () => {
    const { client, tokens } = await startApi();
    const handle = await client.workflow.start(payment, {
      taskQueue: 'shop',
      workflowId: 'pay-1',
      args: [['o-1', 'o-2']],
    });

    const first = await eventually(() => tokens[0]);
    expect(first.order).toBe('o-1');
    expect(await client.activity.heartbeat(first.taskToken, { progress: 50 })).toEqual({
      cancelRequested: false,
    });
    await client.activity.complete(first.taskToken, 'receipt-o-1');

    const second = await eventually(() => tokens[1]);
    expect(second.order).toBe('o-2');
    await client.activity.fail(second.taskToken, new Error('card declined'));

    expect(await handle.result()).toEqual(['receipt-o-1', 'failed: card declined']);
    // The token is spent: a second completion is refused, not recorded twice.
    await expect(client.activity.complete(first.taskToken, 'again')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('carries workflow ids with slashes, spaces and non-ASCII characters through the path', async () => {
    const { client } = await startApi();
    const workflowId = 'orders/42 – ünïcode?&#';
    const handle = await client.workflow.start(cart, { taskQueue: 'shop', workflowId, args: ['gus'] });
    expect((await handle.describe()).workflowId).toBe(workflowId);
    expect((await client.workflow.getHandle(workflowId).query(cartState)).owner).toBe('gus');
  });

  it("answers many runs' outcomes in one workflow-results request, each run's error its own", async () => {
    const { url, client } = await startApi();
    const done = await client.workflow.start(cart, {
      taskQueue: 'shop',
      workflowId: 'batch-done',
      args: ['ann'],
    });
    await client.workflow.start(cart, { taskQueue: 'shop', workflowId: 'batch-open', args: ['bob'] });
    await done.signal(approve, 'cy');
    await done.result();
    const answer = await send(
      url,
      'POST',
      '/v1/namespaces/default/workflow-results',
      JSON.stringify({
        runs: [{ workflowId: 'batch-done' }, { workflowId: 'batch-open' }, { workflowId: 'ghost' }],
      }),
    );
    expect(answer.status).toBe(200);
    const { results } = answer.body as unknown as { results: Record<string, unknown>[] };
    expect(results).toEqual([
      { outcome: expect.objectContaining({ status: 'Completed', runId: done.firstExecutionRunId }) },
      { outcome: expect.objectContaining({ status: 'Running', retryAfterMs: expect.any(Number) }) },
      { status: 404, error: expect.objectContaining({ code: 'WorkflowNotFound', workflowId: 'ghost' }) },
    ]);
    // Through the client, the same error class as a single request's.
    await expect(client.workflow.getHandle('ghost').result()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('maps error responses back to the error classes the engine throws', async () => {
    const { client, url } = await startApi();
    const missing = await client.workflow
      .getHandle('no-such-workflow')
      .describe()
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(WorkflowNotFoundError);
    expect((missing as WorkflowNotFoundError).workflowId).toBe('no-such-workflow');

    const handle = await client.workflow.start(cart, {
      taskQueue: 'shop',
      workflowId: 'cart-dup',
      args: ['hal'],
    });
    const duplicate = await client.workflow
      .start(cart, { taskQueue: 'shop', workflowId: 'cart-dup', args: ['hal'] })
      .catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect(duplicate).toMatchObject({ workflowId: 'cart-dup', workflowType: 'cart' });

    await expect(handle.query('noSuchQuery')).rejects.toBeInstanceOf(QueryRejectedError);
    await expect(
      client.workflow.start(cart, {
        taskQueue: 'shop',
        workflowId: 'cart-big',
        args: ['x'.repeat(3 * 1024 * 1024)],
      }),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
    const badNamespace = new Client({ endpoint: url, namespace: 'no spaces' });
    await expect(badNamespace.workflow.getHandle('x').describe()).rejects.toThrow(
      /namespace 'no spaces' must be 1–64/,
    );
    await expect(collect(client.workflow.list({ query: 'WorkflowType ==' }))).rejects.toThrow(
      /Invalid list query at position 13/,
    );
  });

  it('signs every request with SigV4 when given a signer, in a form API Gateway can verify', async () => {
    const credentials = {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    };
    const seen: APIGatewayProxyEventV2[] = [];
    const record = (handler: GatewayHandler): GatewayHandler => {
      return (event) => {
        seen.push(event);
        return handler(event);
      };
    };
    const { url } = await startApi({ wrap: record });
    const client = new Client({ endpoint: url, signer: sigv4Signer({ region: 'eu-west-1', credentials }) });
    await client.workflow.start(cart, { taskQueue: 'shop', workflowId: 'signed / cart', args: ['ivy'] });
    await client.workflow
      .getHandle('signed / cart', 'no-such-run')
      .describe()
      .catch(() => undefined);

    expect(seen).toHaveLength(2);
    for (const event of seen) {
      const authorization = event.headers.authorization ?? '';
      expect(authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
      );
      // Verify as API Gateway would: sign what arrived, at the signed time, and compare.
      const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)![1]!.split(';');
      const amzDate = event.headers['x-amz-date']!;
      const signingDate = new Date(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
      );
      const [hostname, port] = event.headers.host!.split(':');
      const verifier = new SignatureV4({
        region: 'eu-west-1',
        service: 'execute-api',
        credentials,
        sha256: Sha256,
      });
      const expected = await verifier.sign(
        {
          method: event.requestContext.http.method,
          protocol: 'http:',
          hostname: hostname!,
          port: Number(port),
          path: event.rawPath,
          query: Object.fromEntries(new URLSearchParams(event.rawQueryString)),
          headers: Object.fromEntries(signedHeaders.map((name) => [name, event.headers[name]!])),
          body: event.body,
        },
        { signingDate },
      );
      expect(expected.headers.authorization).toBe(authorization);
    }
  });
});

// ---- Bad input over the wire ----

describe('HTTP API refusing bad input', () => {
  it('refuses a body that is not JSON, saying where it breaks', async () => {
    const { url } = await startApi();
    const response = await send(url, 'POST', '/v1/namespaces/default/workflows', '{"workflowId": "a",');
    expect(response.status).toBe(400);
    expect(response.body?.error.code).toBe('InvalidArgument');
    expect(response.body?.error.message).toMatch(/^Request body is not valid JSON: /);
  });

  it('names every missing or malformed field of a start', async () => {
    const { url } = await startApi();
    const response = await send(
      url,
      'POST',
      '/v1/namespaces/default/workflows',
      JSON.stringify({ workflowID: 'a', taskQueue: '' }),
    );
    expect(response.status).toBe(400);
    expect(response.body?.error.code).toBe('InvalidArgument');
    expect(response.body?.error.message).toContain('workflowId is required');
    expect(response.body?.error.message).toContain('taskQueue must not be empty');
    expect(response.body?.error.issues).toContainEqual({
      path: 'workflowID',
      message: expect.stringMatching(/^is not a known request body field; expected workflowId, workflowType/),
    });
  });

  it('refuses a body over the configured limit with 413', async () => {
    const { url } = await startApi({ maxBodyBytes: 64 * 1024 });
    const big = JSON.stringify({
      input: [{ metadata: { encoding: 'json/plain' }, data: 'x'.repeat(100 * 1024) }],
    });
    const response = await send(url, 'POST', '/v1/namespaces/default/workflows/w/signals/s', big);
    expect(response.status).toBe(413);
    expect(response.body?.error.code).toBe('PayloadTooLarge');
    expect(response.body?.error.message).toMatch(/the limit is 0\.063 MB/);
  });

  it('answers an engine without queues that nothing is set aside, and refuses an unknown queue', async () => {
    const { url } = await startApi();
    const listed = await send(url, 'GET', '/v1/namespaces/default/dlq');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ deadLetters: [], queues: [], truncated: false });
    const redriven = await send(url, 'POST', '/v1/namespaces/default/dlq/redrive');
    expect(redriven.status).toBe(200);
    expect(redriven.body).toEqual({ redriven: [], skipped: [], truncated: false });
    const unknown = await send(url, 'GET', '/v1/namespaces/default/dlq?queue=act-loans-dlq');
    expect(unknown.status).toBe(400);
    expect(unknown.body?.error.message).toMatch(/Unknown queue 'act-loans-dlq': this engine has no queues/);
  });

  it('answers 404 for an unknown route and 405 with Allow for a known path asked with another method', async () => {
    const { url } = await startApi();
    const unknown = await send(url, 'GET', '/v1/namespaces/default/mailboxes');
    expect(unknown.status).toBe(404);
    expect(unknown.body?.error).toMatchObject({
      code: 'RouteNotFound',
      message: expect.stringContaining('/v1/openapi.json'),
    });

    const wrongMethod = await send(url, 'DELETE', '/v1/namespaces/default/workflows/cart-1');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect(wrongMethod.body?.error).toMatchObject({
      code: 'MethodNotAllowed',
      message: expect.stringContaining('use GET'),
    });
  });

  it('refuses a malformed namespace', async () => {
    const { url } = await startApi();
    const response = await send(url, 'GET', '/v1/namespaces/has%20space/workflows/x');
    expect(response.status).toBe(400);
    expect(response.body?.error).toMatchObject({
      code: 'InvalidArgument',
      message:
        "Invalid path: namespace 'has space' must be 1–64 letters, digits, dots, underscores or hyphens",
    });
  });

  it('answers 404 WorkflowNotFound for an unknown workflow', async () => {
    const { url } = await startApi();
    const response = await send(url, 'POST', '/v1/namespaces/default/workflows/ghost/signals/approve', '{}');
    expect(response.status).toBe(404);
    expect(response.body?.error).toMatchObject({
      code: 'WorkflowNotFound',
      workflowId: 'ghost',
      message: "Workflow 'ghost' not found in namespace 'default'",
    });
  });

  it('answers 409 to a second start of a running workflow id', async () => {
    const { url } = await startApi();
    const first = await send(url, 'POST', '/v1/namespaces/default/workflows', startBody('dup'));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ runId: expect.any(String), started: true });
    const second = await send(url, 'POST', '/v1/namespaces/default/workflows', startBody('dup'));
    expect(second.status).toBe(409);
    expect(second.body?.error).toMatchObject({
      code: 'WorkflowExecutionAlreadyStarted',
      workflowId: 'dup',
      workflowType: 'cart',
    });
  });

  it('refuses a list query that does not parse, and a page size out of range', async () => {
    const { url } = await startApi();
    const badQuery = await send(
      url,
      'GET',
      `/v1/namespaces/default/workflows?query=${encodeURIComponent("Status = 'Running' AND")}`,
    );
    expect(badQuery.status).toBe(400);
    expect(badQuery.body?.error.code).toBe('InvalidArgument');
    expect(badQuery.body?.error.message).toMatch(/^Invalid list query at position \d+: /);

    const badSize = await send(url, 'GET', '/v1/namespaces/default/workflows?pageSize=5000');
    expect(badSize.status).toBe(400);
    expect(badSize.body?.error.message).toBe(
      "Invalid query string: pageSize '5000' must be between 1 and 1000",
    );
  });

  it('refuses a workflow-results request naming no runs, too many, or malformed ones', async () => {
    const { url } = await startApi();
    const path = '/v1/namespaces/default/workflow-results';
    const empty = await send(url, 'POST', path, JSON.stringify({ runs: [] }));
    expect(empty.status).toBe(400);
    expect(empty.body?.error.message).toContain('runs must name at least one run');
    const many = Array.from({ length: 101 }, (_, i) => ({ workflowId: `w${i}` }));
    const tooMany = await send(url, 'POST', path, JSON.stringify({ runs: many }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body?.error.message).toContain('must name at most 100 runs');
    const malformed = await send(url, 'POST', path, JSON.stringify({ runs: [{ workflowId: 7, extra: 1 }] }));
    expect(malformed.status).toBe(400);
    expect(malformed.body?.error.code).toBe('InvalidArgument');
    expect(malformed.body?.error.message).toContain('runs[0].workflowId is invalid');
  });

  it('bounds a result long poll at 20 seconds', async () => {
    const { url } = await startApi();
    const response = await send(url, 'GET', '/v1/namespaces/default/workflows/w/result?waitSeconds=60');
    expect(response.status).toBe(400);
    expect(response.body?.error.message).toContain('waitSeconds');
    expect(response.body?.error.message).toContain('at most 20');
  });

  it('accepts a JSON body that the gateway base64-encoded', async () => {
    const { url } = await startApi();
    // API Gateway base64-encodes bodies whose content type is not textual.
    const response = await send(url, 'POST', '/v1/namespaces/default/workflows', startBody('b64'), {
      'content-type': 'application/octet-stream',
    });
    expect(response.status).toBe(201);
    const described = await send(url, 'GET', '/v1/namespaces/default/workflows/b64');
    expect(described.body).toMatchObject({ workflowId: 'b64', workflowType: 'cart', status: 'Running' });
  });
});

describe('OpenAPI document', () => {
  it('documents every route of the API, with schemas generated from the request validators', async () => {
    const { url } = await startApi();
    const response = await fetch(`${url}/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; requestBody?: unknown }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    expect(document.openapi).toBe('3.1.0');
    const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const ns = '/v1/namespaces/{namespace}';
    const wf = `${ns}/workflows/{workflowId}`;
    expect(routes.sort()).toEqual(
      [
        `POST ${ns}/workflows`,
        `GET ${ns}/workflows`,
        `GET ${wf}`,
        `GET ${wf}/history`,
        `GET ${wf}/result`,
        `POST ${ns}/workflow-results`,
        `POST ${wf}/signals/{signalName}`,
        `POST ${wf}/queries/{queryName}`,
        `POST ${wf}/updates/{updateName}`,
        `GET ${wf}/updates/{updateId}/outcome`,
        `POST ${ns}/update-with-start`,
        `POST ${wf}/cancel`,
        `POST ${wf}/terminate`,
        `POST ${ns}/activities/complete`,
        `POST ${ns}/activities/fail`,
        `POST ${ns}/activities/heartbeat`,
        `POST ${ns}/schedules`,
        `GET ${ns}/schedules`,
        `GET ${ns}/schedules/{scheduleId}`,
        `POST ${ns}/schedules/{scheduleId}/update`,
        `POST ${ns}/schedules/{scheduleId}/patch`,
        `DELETE ${ns}/schedules/{scheduleId}`,
        `GET ${ns}/dlq`,
        `POST ${ns}/dlq/redrive`,
        'GET /v1/openapi.json',
      ].sort(),
    );
    expect(document.paths[`${ns}/workflows`]!.post!.requestBody).toMatchObject({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/StartWorkflowRequest' } } },
    });
    expect(document.paths[`${wf}/signals/{signalName}`]!.post!.requestBody).toMatchObject({
      required: false,
    });
    expect(document.components.schemas.StartWorkflowRequest!.required).toEqual([
      'workflowId',
      'workflowType',
      'taskQueue',
    ]);
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'Payload',
        'FailureInfo',
        'RunOutcome',
        'WorkflowDescription',
        'HistoryPage',
        'Error',
      ]),
    );
  });
});

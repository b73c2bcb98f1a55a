import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Client, HttpApiError, WorkflowExecutionAlreadyStartedError } from 'cairnflow/client';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { condition, defineSignal, setHandler } from 'cairnflow/workflow';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../functions/api/handler.ts';
import { startHttpGateway } from '../../local/http-gateway.ts';
import type { GatewayHandler } from '../../local/http-gateway-event.ts';

// ---- Workflows under test ----

const add = defineSignal<[n: number]>('add');
const finish = defineSignal('finish');

/** Sums the numbers it is signalled until told to finish. */
async function tally() {
  const seen: number[] = [];
  let done = false;
  setHandler(add, (n) => {
    seen.push(n);
  });
  setHandler(finish, () => {
    done = true;
  });
  await condition(() => done);
  return seen;
}

async function quick(n: number) {
  return n * 2;
}

// ---- Fixtures ----

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Sent {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

/**
 * An in-memory engine behind the real API handler. `loseAnswers(n)` makes the gateway apply the
 * next n requests and then answer 503 itself, as API Gateway does when the function's answer is
 * lost (a timeout after the write landed): exactly the case a request id must make harmless.
 */
async function startApi(options: { loseAnswers?: number; status?: number } = {}) {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    workers: [{ taskQueue: 'q', workflows: { tally, quick } }],
  });
  cleanups.push(() => env.teardown());
  const handler = createApiHandler(env.engine.service);
  const sent: Sent[] = [];
  let toLose = 0;
  const wrapped: GatewayHandler = async (event: APIGatewayProxyEventV2) => {
    sent.push({
      method: event.requestContext.http.method,
      path: event.rawPath,
      body: event.body ? JSON.parse(event.body) : undefined,
    });
    const result = await handler(event);
    if (event.requestContext.http.method === 'POST' && toLose > 0) {
      toLose--;
      return {
        statusCode: options.status ?? 503,
        headers: { 'retry-after': '0' },
        body: JSON.stringify({ message: 'Service Unavailable' }),
      };
    }
    return result;
  };
  const gateway = await startHttpGateway({ handler: wrapped });
  cleanups.push(() => gateway.stop());
  const client = new Client({ endpoint: gateway.url, retry: { maxAttempts: 3, baseDelayMs: 1 } });
  return { env, client, sent, loseAnswers: (n: number) => (toLose = n) };
}

function requestIds(sent: Sent[], pathEnd: string): unknown[] {
  return sent.filter((s) => s.method === 'POST' && s.path.endsWith(pathEnd)).map((s) => s.body?.requestId);
}

describe('retried requests with a request id are applied once', () => {
  it('records a signal once when its first answer was lost and the client sent it again', async () => {
    const { client, sent, loseAnswers } = await startApi();
    const handle = await client.workflow.start(tally, { taskQueue: 'q', workflowId: 'tally-1' });
    loseAnswers(1);
    await handle.signal(add, 5);
    await handle.signal(add, 7);
    await handle.signal(finish);

    expect(await handle.result()).toEqual([5, 7]);
    // Two attempts of the first signal, with one request id; every signal had its own.
    const ids = requestIds(sent, '/signals/add');
    expect(ids).toHaveLength(3);
    expect(ids[0]).toBeTypeOf('string');
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    const history = await handle.fetchHistory();
    expect(history.events.filter((e) => e.type === 'WorkflowExecutionSignaled')).toHaveLength(3);
  });

  it('answers a retried start with the run it created, even once that run closed and the policy allows a new one', async () => {
    const { client, sent, loseAnswers } = await startApi();
    loseAnswers(1);
    const handle = await client.workflow.start(quick, { taskQueue: 'q', workflowId: 'quick-1', args: [21] });
    expect(await handle.result()).toBe(42);

    const starts = sent.filter((s) => s.method === 'POST' && s.path.endsWith('/workflows'));
    expect(starts).toHaveLength(2);
    expect(starts[0]!.body?.requestId).toBe(starts[1]!.body?.requestId);
    const runs = [];
    for await (const run of client.workflow.list({ query: "WorkflowId = 'quick-1'" })) runs.push(run);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.runId).toBe(handle.firstExecutionRunId);
  });

  it('still refuses a second start of a running workflow id that carries another request id', async () => {
    const { client } = await startApi();
    await client.workflow.start(tally, { taskQueue: 'q', workflowId: 'tally-2' });
    await expect(client.workflow.start(tally, { taskQueue: 'q', workflowId: 'tally-2' })).rejects.toThrow(
      WorkflowExecutionAlreadyStartedError,
    );
  });

  it('treats a retried terminate that closed the run as done, not as a closed-run error', async () => {
    const { client, loseAnswers } = await startApi();
    const handle = await client.workflow.start(tally, { taskQueue: 'q', workflowId: 'tally-3' });
    loseAnswers(1);
    await handle.terminate('enough');
    expect((await handle.describe()).status).toBe('Terminated');
    const events = (await handle.fetchHistory()).events;
    expect(events.filter((e) => e.type === 'WorkflowExecutionTerminated')).toHaveLength(1);
  });

  it('signals once through signal-with-start retried after a lost answer', async () => {
    const { client, loseAnswers } = await startApi();
    const first = await client.workflow.start(tally, { taskQueue: 'q', workflowId: 'tally-4' });
    loseAnswers(1);
    await client.workflow.signalWithStart(tally, {
      taskQueue: 'q',
      workflowId: 'tally-4',
      signal: add,
      signalArgs: [3],
    });
    await first.signal(finish);
    expect(await first.result()).toEqual([3]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { client, sent, loseAnswers } = await startApi();
    const handle = await client.workflow.start(tally, { taskQueue: 'q', workflowId: 'tally-5' });
    loseAnswers(10);
    const error = await handle.signal(add, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpApiError);
    expect((error as HttpApiError).status).toBe(503);
    expect(requestIds(sent, '/signals/add')).toHaveLength(3);
    // Applied once nonetheless.
    loseAnswers(0);
    await handle.signal(finish);
    expect(await handle.result()).toEqual([1]);
  });
});

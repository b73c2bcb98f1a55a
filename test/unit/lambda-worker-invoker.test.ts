// The API reaches a task queue's worker for queries and updates with a synchronous Lambda Invoke.
// A worker that crashed or timed out answers with FunctionError set and Lambda's own error report
// as the payload: that is a fault of the moment (the caller may send again), never the worker's
// answer, and never a 500.
import type { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { LambdaWorkerInvoker } from '../../sdk/backend/lambda/worker-invoker.ts';
import type { WorkerRequest } from '../../sdk/backend/ports.ts';
import {
  QueryRejectedError,
  UnknownTaskQueueError,
  WorkerUnavailableError,
} from '../../sdk/common/errors.ts';

/** What one Invoke answers: Lambda's `FunctionError` and the payload (JSON), as the SDK returns them. */
interface InvokeAnswer {
  FunctionError?: string;
  payload?: unknown;
}

/** A Lambda client whose Invoke answers `answer`, recording the commands it was sent. */
function lambdaAnswering(answer: InvokeAnswer) {
  const sent: InvokeCommand[] = [];
  const client = {
    send: async (command: InvokeCommand) => {
      sent.push(command);
      return {
        StatusCode: 200,
        FunctionError: answer.FunctionError,
        Payload:
          answer.payload === undefined ? undefined : new TextEncoder().encode(JSON.stringify(answer.payload)),
      };
    },
  } as unknown as LambdaClient;
  return { client, sent };
}

const query: WorkerRequest = {
  kind: 'query',
  ref: { namespace: 'default', workflowId: 'order-1', runId: 'run-1' },
  queryName: 'status',
  input: [],
};

const functions = { orders: 'cairn-orders-worker' };

describe('LambdaWorkerInvoker', () => {
  it('throws WorkerUnavailableError when the worker function crashed (FunctionError: Unhandled)', async () => {
    const { client } = lambdaAnswering({
      FunctionError: 'Unhandled',
      payload: {
        errorType: 'TypeError',
        errorMessage: "Cannot read properties of undefined (reading 'x')",
        trace: [],
      },
    });
    const invoker = new LambdaWorkerInvoker(client, functions);
    const failure = await invoker.invoke('orders', query).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkerUnavailableError);
    expect((failure as WorkerUnavailableError).code).toBe('WorkerUnavailable');
    expect((failure as Error).message).toContain("task queue 'orders'");
    expect((failure as Error).message).toContain('Unhandled');
    expect((failure as Error).message).toMatch(/send the request again/);
  });

  it('throws WorkerUnavailableError when the worker function timed out', async () => {
    const { client } = lambdaAnswering({
      FunctionError: 'Unhandled',
      payload: { errorMessage: '2026-12-02T00:00:03.000Z 1b2c Task timed out after 3.00 seconds' },
    });
    const invoker = new LambdaWorkerInvoker(client, functions);
    await expect(invoker.invoke('orders', query)).rejects.toBeInstanceOf(WorkerUnavailableError);
  });

  it('throws WorkerUnavailableError when a failed invocation returned no payload', async () => {
    const { client } = lambdaAnswering({ FunctionError: 'Unhandled' });
    const invoker = new LambdaWorkerInvoker(client, functions);
    await expect(invoker.invoke('orders', query)).rejects.toBeInstanceOf(WorkerUnavailableError);
  });

  it("returns the worker's answer, sent to the task queue's function", async () => {
    const result = { metadata: { encoding: 'json/plain' }, data: '"shipped"' };
    const { client, sent } = lambdaAnswering({ payload: { kind: 'query', result } });
    const invoker = new LambdaWorkerInvoker(client, functions);
    await expect(invoker.invoke('orders', query)).resolves.toEqual({ kind: 'query', result });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.input.FunctionName).toBe('cairn-orders-worker');
    expect(JSON.parse(Buffer.from(sent[0]!.input.Payload as Uint8Array).toString())).toEqual({
      cairnWorkerRequest: query,
    });
  });

  it('rethrows the typed error a worker answered with, not WorkerUnavailableError', async () => {
    const { client } = lambdaAnswering({
      payload: { error: { code: 'QueryRejected', message: "Workflow has no query handler 'nope'" } },
    });
    const invoker = new LambdaWorkerInvoker(client, functions);
    const failure = await invoker.invoke('orders', query).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryRejectedError);
    expect((failure as Error).message).toBe("Workflow has no query handler 'nope'");
  });

  it('refuses a task queue no worker function serves, without invoking anything', async () => {
    const { client, sent } = lambdaAnswering({ payload: null });
    const invoker = new LambdaWorkerInvoker(client, functions);
    await expect(invoker.invoke('billing', query)).rejects.toBeInstanceOf(UnknownTaskQueueError);
    expect(sent).toHaveLength(0);
  });
});

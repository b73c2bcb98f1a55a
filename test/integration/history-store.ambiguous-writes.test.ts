import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { readFullHistory } from '../../sdk/runtime/commit.ts';
import { newRun } from '../../sdk/runtime/start-workflow.ts';
import { dynamoFixture } from './dynamodb-store-fixture.ts';
import {
  append,
  closingTask,
  freshNamespace,
  json,
  request,
  signal,
  startRequest,
  startRun,
  tick,
} from './history-store.conformance.ts';

const dynamo = dynamoFixture();

interface Injection {
  /** Times the command was sent to DynamoDB Local (the first attempt and the SDK's retries). */
  attempts: number;
  /** Times a timeout was injected after DynamoDB Local had applied the write. */
  injected: number;
}

/**
 * A client whose next `command` reaches DynamoDB Local and is applied, and whose response is then
 * replaced by a timeout, as a network that drops the reply would: the SDK retries the write, and the
 * retry meets the first attempt's effects. With `freshToken`, the retry also carries a new
 * `ClientRequestToken`, so DynamoDB's own idempotency for transactions cannot absorb it and the
 * store must recognise its commit by itself.
 */
function timingOutAfterWrite(
  command: string,
  freshToken = false,
  /** Only the requests whose body this picks (all of `command`'s by default). */
  only: (body: string) => boolean = () => true,
): { client: DynamoDBClient; injection: Injection } {
  const client = dynamo.client();
  const injection: Injection = { attempts: 0, injected: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { body?: unknown };
      if (context.commandName !== command || !only(String(request.body ?? ''))) return next(args);
      injection.attempts++;
      if (freshToken && injection.attempts > 1 && request.body !== undefined) {
        // Same length (a UUID for a UUID), so the request's Content-Length still holds.
        const body = JSON.parse(String(request.body)) as { ClientRequestToken?: string };
        if (body.ClientRequestToken) body.ClientRequestToken = randomUUID();
        request.body = JSON.stringify(body);
      }
      const output = await next(args);
      if (injection.injected === 0) {
        injection.injected++;
        throw Object.assign(new Error('injected: the response was lost after the write landed'), {
          name: 'TimeoutError',
          $metadata: {},
        });
      }
      return output;
    },
    // Inside the SDK's retry loop (finalizeRequest), so the thrown timeout is retried like a real one.
    { step: 'deserialize', name: 'timeoutAfterWrite', priority: 'low' },
  );
  return { client, injection };
}

describe('ambiguous writes on DynamoDB Local: a write that landed, timed out and was retried by the SDK', () => {
  it('an append recognises its own batch and succeeds, writing it once', async () => {
    const ns = freshNamespace();
    const started = await startRun(dynamo.store(), ns, 'ambiguous-append');
    const { client, injection } = timingOutAfterWrite('PutItemCommand');
    const store = dynamo.store(client);

    const next = await append(store, started, [signal(1)]);

    expect(injection).toEqual({ attempts: 2, injected: 1 });
    expect(await store.getRun(ns, started.runId)).toEqual(next);
    const history = await readFullHistory({ store }, ns, started.runId);
    expect(history.map((event) => event.eventId)).toEqual([1, 2, 3]);
    // And the run goes on from there: the next append is ordinary.
    expect((await append(store, next, [signal(2)])).nextEventId).toBe(5);
  });

  it('a real conflict on the same head is still a conflict', async () => {
    const ns = freshNamespace();
    const store = dynamo.store();
    const started = await startRun(store, ns, 'conflicting');
    await append(store, started, [signal(1)]);
    await expect(append(store, started, [signal(2)])).rejects.toThrow(/another writer appended first/);
  });

  for (const [what, body] of [
    ['claim', '"sk":{"S":"claim"}'],
    ['first batch', '"kind":{"S":"batch"}'],
  ] as const) {
    it(`a start whose ${what} put landed and timed out recognises its own run and succeeds`, async () => {
      const ns = freshNamespace();
      const { client, injection } = timingOutAfterWrite('PutItemCommand', false, (sent) =>
        sent.includes(body),
      );
      const store = dynamo.store(client);

      const state = await startRun(store, ns, 'ambiguous-start', { policy: 'REJECT_DUPLICATE' });

      expect(injection).toEqual({ attempts: 2, injected: 1 });
      expect(await store.getCurrentRunId(ns, 'ambiguous-start')).toBe(state.runId);
      expect(await store.getRun(ns, state.runId)).toEqual(state);
      expect((await store.listRuns(ns, () => true, 10)).runs.map((run) => run.runId)).toEqual([state.runId]);
    });
  }

  for (const freshToken of [false, true]) {
    const how = freshToken ? ', even without the idempotency token' : '';
    it(`a continue-as-new recognises its own commit and succeeds${how}`, async () => {
      const ns = freshNamespace();
      const first = await startRun(dynamo.store(), ns, 'ambiguous-can');
      const { client, injection } = timingOutAfterWrite('TransactWriteItemsCommand', freshToken);
      const store = dynamo.store(client);
      const nextRunId = randomUUID();
      const req = request(
        first,
        closingTask(first, {
          type: 'WorkflowExecutionContinuedAsNew',
          newRunId: nextRunId,
          workflowType: 'OrderWorkflow',
          taskQueue: 'orders',
          input: [json('again')],
        }),
      );
      req.newRun = newRun(startRequest(ns, 'ambiguous-can', { input: [json('again')] }), nextRunId, tick());

      await store.append(req);

      expect(injection).toEqual({ attempts: 2, injected: 1 });
      expect((await store.getRun(ns, first.runId))?.status).toBe('ContinuedAsNew');
      expect(await store.getRun(ns, nextRunId)).toEqual(req.newRun.state);
      expect(await store.getCurrentRunId(ns, 'ambiguous-can')).toBe(nextRunId);
      expect((await readFullHistory({ store }, ns, first.runId)).length).toBe(5);
    });
  }
});

import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import type { TestWorkflowEnvironment } from 'cairnflow/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { currentInvocation } from '../../../local/function-host.ts';
import { decodeField, type Image } from '../../../sdk/backend/dynamodb/batch-codec.ts';
import type { HistoryEvent } from '../../../sdk/engine/events.ts';
import { createWorkerRegistry } from '../../../sdk/runtime/worker-registry.ts';
import { processWorkflowTask } from '../../../sdk/runtime/workflow-task.ts';
import { eventually, localEnv, messagesInFlight } from '../../support/local-env.ts';
import * as activities from './activities.ts';
import * as workflows from './workflows.ts';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await localEnv({
    workers: [
      { taskQueue: 'faults', workflows, activities },
      { taskQueue: 'poison', workflows, activities },
    ],
    // Short visibility timeouts (6 × 1 s), so redeliveries and dead-lettering happen within a test.
    functionTimeoutSeconds: 1,
  });
}, 60_000);

afterEach(async () => {
  expect(await env.verifyHistories()).toEqual([]);
});

afterAll(async () => {
  await env?.teardown();
});

function countsOf(events: HistoryEvent[]) {
  const count = (type: string) => events.filter((e) => e.type === type).length;
  return { scheduled: count('ActivityTaskScheduled'), completed: count('ActivityTaskCompleted') };
}

const stack = () => env.localStack!;

/**
 * What a DynamoDB request writes, as text: the request itself, plus the events of every history
 * batch in it, which the batch codec stores deflated.
 */
async function writtenText(input: unknown): Promise<string> {
  const parts = [JSON.stringify(input)];
  const visit = async (value: unknown): Promise<void> => {
    if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
    const item = value as Image;
    if (item.pk && item.body) parts.push(JSON.stringify(await decodeField(item, 'events', async () => [])));
    for (const inner of Object.values(value)) await visit(inner);
  };
  await visit(input);
  return parts.join('\n');
}
const queueOf = (taskQueue: string) => stack().queues.perTaskQueue.find((q) => q.taskQueue === taskQueue)!;

describe('faults on the local stack: nothing lost, nothing duplicated', () => {
  /**
   * Holds back the next put of a run's first batch until someone has read that run and found
   * nothing (`hold`: `readFirst` says so), or kills the invocation making it (`kill`).
   */
  function atNextFirstBatch(what: 'hold' | 'kill'): { hit: number; readFirst: boolean } {
    const seen = { hit: 0, readFirst: false };
    let heldPk: string | undefined;
    let readInVain!: () => void;
    const missed = new Promise<void>((resolve) => (readInVain = resolve));
    stack().runtime.dynamodb.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as {
          Item?: Record<string, { S?: string; N?: string }>;
          ExpressionAttributeValues?: Record<string, { S?: string }>;
        };
        if (heldPk !== undefined && input.ExpressionAttributeValues?.[':pk']?.S === heldPk) {
          const result = await next(args);
          if (!(result.output as { Items?: unknown[] }).Items?.length) {
            seen.readFirst = true;
            readInVain();
          }
          return result;
        }
        const item = input.Item;
        if (seen.hit > 0 || item?.kind?.S !== 'batch' || item.sk?.N !== '1') return next(args);
        seen.hit++;
        if (what === 'kill') {
          currentInvocation()?.kill('the start dies after sending its tasks, before its first batch');
          return new Promise<never>(() => {});
        }
        heldPk = item.pk?.S;
        // Bounded: a read that never comes lets the batch go after 5 s (and the test fails).
        await Promise.race([missed, new Promise((resolve) => setTimeout(resolve, 5000))]);
        return next(args);
      },
      { step: 'initialize', name: 'atFirstBatch' },
    );
    onTestFinished(() => {
      stack().runtime.dynamodb.middlewareStack.remove('atFirstBatch');
    });
    return seen;
  }

  /** The receive counts of the messages the `faults` worker is handed. */
  function watchReceives(): number[] {
    const receives: number[] = [];
    stack()
      .functions.get('cairn-local-worker-faults')!
      .intercept((handler) => async (event, context) => {
        for (const record of (event as SQSEvent).Records ?? [])
          receives.push(Number(record.attributes?.ApproximateReceiveCount ?? 1));
        return handler(event, context);
      });
    return receives;
  }

  it("runs a start's first workflow task that reaches the worker before the run's first batch, without a redelivery", async () => {
    const receives = watchReceives();
    const held = atNextFirstBatch('hold');
    expect(
      await env.client.workflow.execute(workflows.squares, {
        taskQueue: 'faults',
        workflowId: 'ahead',
        args: [2],
      }),
    ).toEqual([1, 4]);
    // The worker read the run before its batch was there, and waited for it rather than failing the task.
    expect(held).toEqual({ hit: 1, readFirst: true });
    expect(receives.length).toBeGreaterThan(0);
    expect(Math.max(...receives)).toBe(1);
  });

  it('starts afresh when the start dies after sending its tasks and before its first batch; the orphaned task is voided', async () => {
    const killed = atNextFirstBatch('kill');
    expect(
      await env.client.workflow.execute(workflows.squares, {
        taskQueue: 'faults',
        workflowId: 'died-mid-start',
        args: [3],
      }),
    ).toEqual([1, 4, 9]);
    expect(killed.hit).toBe(1);
    // The dead start's task fails its first delivery, and on its second voids that run and ends.
    await eventually(async () => (await messagesInFlight([queueOf('faults').workflow.url])) === 0, 30_000);
    const listed = await env.client.workflow.list({ query: "WorkflowId = 'died-mid-start'" });
    const runs = [];
    for await (const run of listed) runs.push(run);
    expect(runs.map((run) => run.status)).toEqual(['Completed']);
  });

  it('tolerates the same SQS message delivered twice', async () => {
    const handle = await env.client.workflow.start(workflows.squares, {
      taskQueue: 'faults',
      workflowId: 'dup-msg',
      args: [3],
    });
    expect(await handle.result()).toEqual([1, 4, 9]);
    const { events, runId } = await handle.fetchHistory();
    const sqs = new SQSClient({ region: 'us-east-1', useQueueUrlAsEndpoint: false });
    const ref = { namespace: 'default', workflowId: 'dup-msg', runId };
    const scheduled = events.find((e) => e.type === 'ActivityTaskScheduled')!;
    // Redeliver an activity task and a workflow task that were already processed.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueOf('faults').activity.url,
        MessageBody: JSON.stringify({
          task: {
            kind: 'activity',
            ref,
            taskQueue: 'faults',
            scheduledEventId: scheduled.eventId,
            attempt: 1,
          },
        }),
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueOf('faults').workflow.url,
        MessageBody: JSON.stringify({
          task: { kind: 'workflow', ref, taskQueue: 'faults', scheduledEventId: 2 },
        }),
        MessageGroupId: runId,
        MessageDeduplicationId: `${runId}-duplicate`,
      }),
    );
    await eventually(
      async () =>
        (await messagesInFlight([queueOf('faults').activity.url, queueOf('faults').workflow.url])) === 0,
    );
    const after = (await handle.fetchHistory()).events;
    expect(after).toEqual(events);
    expect(countsOf(after)).toEqual({ scheduled: 3, completed: 3 });
  });

  it('recovers from a worker that crashes after its commit: the stream already routed what it committed', async () => {
    const worker = stack().functions.get('cairn-local-worker-faults')!;
    let crashes = 0;
    worker.intercept((handler) => async (event, context) => {
      const result = await handler(event, context);
      const body = (event as SQSEvent).Records?.[0]?.body ?? '';
      if (body.includes('crash-after-commit') && crashes < 3) {
        crashes++;
        throw new Error('simulated crash after commit, before returning');
      }
      return result;
    });
    const handle = await env.client.workflow.start(workflows.squares, {
      taskQueue: 'faults',
      workflowId: 'crash-after-commit',
      args: [3],
    });
    expect(await handle.result()).toEqual([1, 4, 9]);
    expect(crashes).toBeGreaterThan(0);
    expect(countsOf((await handle.fetchHistory()).events)).toEqual({ scheduled: 3, completed: 3 });
  });

  it('lets exactly one of two racing workflow tasks commit; the other retries and finds nothing to do', async () => {
    const handle = await env.client.workflow.start(workflows.accumulator, {
      taskQueue: 'faults',
      workflowId: 'race',
      args: ['r'],
    });
    const { runId } = await handle.fetchHistory();
    const ref = { namespace: 'default', workflowId: 'race', runId };
    // Two "containers" with cold caches race for the same pending task, with the stack's own worker.
    const deps = stack().runtime.deps;
    const [a, b] = [
      createWorkerRegistry({ taskQueue: 'faults', workflows, activities }),
      createWorkerRegistry({ taskQueue: 'faults', workflows, activities }),
    ];
    await handle.signal(workflows.add, 5);
    const outcomes = await Promise.all([
      processWorkflowTask(deps, a, ref),
      processWorkflowTask(deps, b, ref),
    ]);
    expect(outcomes.filter((o) => o.outcome === 'committed').length).toBeLessThanOrEqual(1);
    await handle.signal(workflows.finish);
    expect(await handle.result()).toBe(5);
    const events = (await handle.fetchHistory()).events;
    const completedFor = new Map<number, number>();
    for (const e of events)
      if (e.type === 'WorkflowTaskCompleted')
        completedFor.set(e.scheduledEventId, (completedFor.get(e.scheduledEventId) ?? 0) + 1);
    expect([...completedFor.values()].every((n) => n === 1)).toBe(true);
  });

  it('tolerates a stream batch delivered twice and out of order', async () => {
    const router = stack().functions.get('cairn-local-router')!;
    router.intercept((handler) => async (event, context) => {
      const records = (event as DynamoDBStreamEvent).Records;
      await handler({ Records: [...records].reverse() }, context);
      return handler(event, context);
    });
    const results = await Promise.all(
      [2, 3, 4].map((n) =>
        env.client.workflow.execute(workflows.squares, {
          taskQueue: 'faults',
          workflowId: `stream-dup-${n}`,
          args: [n],
        }),
      ),
    );
    expect(results).toEqual([
      [1, 4],
      [1, 4, 9],
      [1, 4, 9, 16],
    ]);
    for (const n of [2, 3, 4]) {
      expect(
        countsOf((await env.client.workflow.getHandle(`stream-dup-${n}`).fetchHistory()).events),
      ).toEqual({ scheduled: n, completed: n });
    }
    // The router does each batch twice inside a 1 s function: on a busy machine an invocation can
    // time out and its batch come again, which the engine absorbs, at the cost of a few retries.
  }, 90_000);

  it('moves a message that always fails to the DLQ and shows why in describe', async () => {
    // DynamoDB refuses every write that carries this activity's result (as it refuses an item it
    // cannot store): the activity task fails on every receive until its queue dead-letters it.
    const dynamodb = stack().runtime.dynamodb;
    dynamodb.middlewareStack.add(
      (next) => async (args) => {
        if ((await writtenText(args.input)).includes('poisoned-result')) {
          throw Object.assign(new Error('Item rejected by the test'), {
            name: 'ValidationException',
            $fault: 'client',
            $metadata: {},
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'rejectPoison' },
    );
    try {
      const handle = await env.client.workflow.start(workflows.echoActivity, {
        taskQueue: 'poison',
        workflowId: 'poisoned',
        args: ['poisoned'],
      });
      const description = await eventually(async () => {
        const d = await handle.describe();
        return d.workflowTaskFailure?.cause === 'DeadLettered' && d;
      }, 80_000);
      expect(description.status).toBe('Running');
      expect(description.workflowTaskFailure?.failure.message).toMatch(
        /activity task moved to the dead-letter queue.*Item rejected/,
      );
      await handle.terminate('poisoned');
    } finally {
      dynamodb.middlewareStack.remove('rejectPoison');
    }
  }, 100_000);

  it('retries a throttled DynamoDB call transparently', async () => {
    let throttled = 0;
    stack().runtime.dynamodb.middlewareStack.add(
      (next) => async (args) => {
        if (throttled === 0) {
          throttled++;
          const error = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
            name: 'ProvisionedThroughputExceededException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
          throw error;
        }
        return next(args);
      },
      { step: 'deserialize', name: 'injectOneThrottle' },
    );
    expect(
      await env.client.workflow.execute(workflows.squares, {
        taskQueue: 'faults',
        workflowId: 'throttled',
        args: [2],
      }),
    ).toEqual([1, 4]);
    expect(throttled).toBe(1);
    stack().runtime.dynamodb.middlewareStack.remove('injectOneThrottle');
  });

  it('answers malformed, oversized and wrong-namespace API requests with 4xx and a message', async () => {
    const post = (path: string, body: string) =>
      fetch(`${env.endpoint}${path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
    const malformed = await post('/v1/namespaces/default/workflows', '{ not json');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(/JSON/i);
    const oversized = await post(
      '/v1/namespaces/default/workflows',
      JSON.stringify({ pad: 'x'.repeat(3 * 1024 * 1024) }),
    );
    expect(oversized.status).toBe(413);
    const badNamespace = await fetch(
      `${env.endpoint}/v1/namespaces/${encodeURIComponent('no spaces!')}/workflows/x`,
    );
    expect(badNamespace.status).toBe(400);
    const otherNamespace = await fetch(`${env.endpoint}/v1/namespaces/other/workflows/dup-msg`);
    expect(otherNamespace.status).toBe(404);
    expect(((await otherNamespace.json()) as { error: { code: string } }).error.code).toBe(
      'WorkflowNotFound',
    );
  });
});

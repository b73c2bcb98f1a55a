// No silent stalls, on the local stack through the real handlers: an unknown task queue is refused
// at start or set aside by the router without holding up other runs, and a waiting client hears
// why a run does not move.
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  Client,
  UnknownTaskQueueError,
  WorkflowFailedError,
  type WorkflowTaskFailureReport,
} from 'cairnflow/client';
import type { TestWorkflowEnvironment } from 'cairnflow/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DispatchItem } from '../../../sdk/backend/ports.ts';
import { runtimeFromEnvironment } from '../../../sdk/runtime/from-environment.ts';
import { eventually, localEnv } from '../../support/local-env.ts';
import * as workflows from '../workflows/stalls.ts';
import { stallActivities } from '../workflows/stalls-activities.ts';

const taskQueue = 'stalls';
let env: TestWorkflowEnvironment;
/** Stream records the router reported failed (the mapping would retry them, and the shard with them). */
const routerFailures: string[] = [];

beforeAll(async () => {
  env = await localEnv({ workers: [{ taskQueue, workflows, activities: stallActivities }] });
  const router = env.localStack!.functions.get('cairn-local-router')!;
  router.intercept((handler) => async (event, context) => {
    const response = (await handler(event as DynamoDBStreamEvent, context)) as DynamoDBBatchResponse;
    routerFailures.push(...response.batchItemFailures.map((failure) => failure.itemIdentifier));
    return response;
  });
}, 60_000);

afterEach(async () => {
  expect(routerFailures).toEqual([]);
  expect(env.localStack!.discardedStreamRecords).toEqual([]);
});

afterAll(async () => {
  await env?.teardown();
});

describe('a stuck workflow task on the local stack', () => {
  it('keeps exactly one retry chain, however many queries reach the run', async () => {
    const handle = await env.client.workflow.start(workflows.usesFetch, {
      taskQueue,
      workflowId: 'stuck-queried',
    });
    await eventually(async () => (await handle.describe()).workflowTaskFailure);
    // Every handler of the stack dispatches through the one runtime of this process.
    const dispatch = runtimeFromEnvironment().dispatch;
    const original = dispatch.dispatch;
    const scheduledRetries: number[] = [];
    dispatch.dispatch = (items: DispatchItem[]) => {
      for (const { task, dueTime } of items) {
        // A retry is scheduled with a due time (the system queue forwards it later without one).
        if (task.kind === 'workflow' && task.ref.workflowId === 'stuck-queried' && dueTime !== undefined)
          scheduledRetries.push(task.attempt ?? 1);
      }
      return original.call(dispatch, items);
    };
    const started = Date.now();
    try {
      for (let i = 0; i < 100; i++) await handle.query(workflows.progress).catch(() => undefined);
    } finally {
      dispatch.dispatch = original;
    }
    const elapsedSeconds = (Date.now() - started) / 1000;
    // Meanwhile only the chain's own retries were scheduled (after 1 s, 2 s, 4 s, …): each the
    // next attempt, never a second chain. Before, every query scheduled one more.
    expect(scheduledRetries).toEqual(scheduledRetries.map((_, i) => scheduledRetries[0]! + i));
    expect(scheduledRetries.length).toBeLessThanOrEqual(Math.ceil(Math.log2(elapsedSeconds + 1)) + 1);
    await handle.terminate('test over');
  }, 60_000);
});

describe('a task queue no worker serves, on the local stack', () => {
  it('refuses the start with UnknownTaskQueueError naming the task queues that have a worker', async () => {
    const error = (await env.client.workflow
      .start(workflows.echoOnce, { taskQueue: 'stals', workflowId: 'typo-queue', args: ['a'] })
      .catch((e: unknown) => e)) as UnknownTaskQueueError;
    expect(error).toBeInstanceOf(UnknownTaskQueueError);
    expect(error.taskQueue).toBe('stals');
    expect(error.knownTaskQueues).toEqual(['stalls']);
    expect(error.message).toMatch(
      /No worker serves task queue 'stals' \(task queues with a worker: stalls\)/,
    );
    // Nothing was started.
    await expect(env.client.workflow.getHandle('typo-queue').describe()).rejects.toThrow(/not found/);
  });

  it('sets an activity for an unserved task queue aside with the reason on its run, while another run completes', async () => {
    const stuck = await env.client.workflow.start(workflows.callsElsewhere, {
      taskQueue,
      workflowId: 'calls-elsewhere',
      args: ['nowhere'],
    });
    const other = await env.client.workflow.start(workflows.echoOnce, {
      taskQueue,
      workflowId: 'unaffected',
      args: ['b'],
    });
    expect(await other.result()).toBe('b-echoed');
    const description = await eventually(async () => {
      const d = await stuck.describe();
      return d.workflowTaskFailure?.cause === 'UnknownTaskQueue' && d;
    });
    expect(description.status).toBe('Running');
    expect(description.pendingActivities).toHaveLength(1);
    expect(description.workflowTaskFailure?.failure.message).toMatch(
      /activity task \(event \d+\) set aside: No worker serves task queue 'nowhere' \(task queues with a worker: stalls\)/,
    );
    await stuck.terminate('test over');
  });

  it('sets aside a run whose start the API could not check, reports it to a waiting client, and keeps routing others', async () => {
    // An engine whose API does not know its workers' task queues: the start is accepted, and the
    // router finds out from SQS (the queue does not exist).
    const saved = process.env.CAIRN_WORKER_FUNCTIONS;
    delete process.env.CAIRN_WORKER_FUNCTIONS;
    try {
      const reports: WorkflowTaskFailureReport[] = [];
      const client = new Client({
        endpoint: env.endpoint,
        onWorkflowTaskFailure: (report) => {
          reports.push(report);
        },
      });
      const stuck = await client.workflow.start(workflows.echoOnce, {
        taskQueue: 'stals',
        workflowId: 'unchecked-queue',
        args: ['c'],
      });
      const waiting = stuck.result().catch((e: unknown) => e);
      expect(
        await client.workflow.execute(workflows.echoOnce, { taskQueue, workflowId: 'routed', args: ['d'] }),
      ).toBe('d-echoed');
      await eventually(async () => reports.length > 0);
      expect(reports[0]).toMatchObject({ workflowId: 'unchecked-queue', cause: 'UnknownTaskQueue' });
      expect(reports[0]!.failure.message).toMatch(
        /workflow task \(event 2\) set aside: No worker serves task queue 'stals'/,
      );
      await stuck.terminate('test over');
      expect(await waiting).toBeInstanceOf(WorkflowFailedError);
      expect(reports).toHaveLength(1);
    } finally {
      process.env.CAIRN_WORKER_FUNCTIONS = saved;
    }
  });
});

describe('a waiting client on the local stack', () => {
  it('hears of an unknown workflow type once, however often the task is retried', async () => {
    const reports: WorkflowTaskFailureReport[] = [];
    const client = new Client({
      endpoint: env.endpoint,
      onWorkflowTaskFailure: (report) => {
        reports.push(report);
      },
    });
    const handle = await client.workflow.start('noSuchWorkflow', { taskQueue, workflowId: 'misspelled' });
    const waiting = handle.result().catch((e: unknown) => e);
    await eventually(async () => reports.length > 0);
    // Usually attempt 1; on a loaded machine the first poll may only see the retry (after 1 s).
    expect(reports[0]).toMatchObject({ workflowId: 'misspelled', cause: 'UnknownWorkflowType' });
    expect(reports[0]!.attempt).toBeGreaterThanOrEqual(1);
    expect(reports[0]!.failure.message).toMatch(
      /Workflow type 'noSuchWorkflow' is not registered on task queue 'stalls' \(registered: .*echoOnce/,
    );
    // Retried after 1 s and 2 s: the same failure again, not news.
    await eventually(async () => ((await handle.describe()).workflowTaskFailure?.attempt ?? 0) >= 3);
    expect(reports).toHaveLength(1);
    await handle.terminate('test over');
    expect(await waiting).toBeInstanceOf(WorkflowFailedError);
  }, 30_000);

  it('describes a failed run with how it failed, cause chain included', async () => {
    const error = await env.client.workflow
      .execute(workflows.failsInActivity, { taskQueue, workflowId: 'fails-over-http' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const description = await env.client.workflow.getHandle('fails-over-http').describe();
    expect(description.status).toBe('Failed');
    expect(description.workflowTaskFailure).toBeUndefined();
    expect(description.failure).toMatchObject({
      kind: 'activity',
      activityType: 'readSsn',
      cause: {
        type: 'TypeError',
        message: expect.stringMatching(/Cannot read properties of undefined \(reading 'ssn'\)/),
      },
    });
  });
});

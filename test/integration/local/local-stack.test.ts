import { QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
} from 'cairnflow/client';
import { ActivityFailure } from 'cairnflow/common';
import type { TestWorkflowEnvironment } from 'cairnflow/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLoanActivities } from '../../../examples/loan/activities.ts';
import * as loanWorkflows from '../../../examples/loan/workflows.ts';
import { createOrderActivities } from '../../../examples/order-saga/activities.ts';
import * as sagaWorkflows from '../../../examples/order-saga/workflows.ts';
import { eventually, localEnv, messagesInFlight } from '../../support/local-env.ts';
import * as activities from './activities.ts';
import * as workflows from './workflows.ts';

let env: TestWorkflowEnvironment;
const journal: string[] = [];

beforeAll(async () => {
  env = await localEnv({
    workers: [
      { taskQueue: 'local', workflows, activities },
      {
        taskQueue: 'loans',
        workflows: loanWorkflows,
        activities: createLoanActivities({ scores: { ada: 720, bob: 600 }, flakyCalls: 1 }),
      },
      {
        taskQueue: 'orders',
        workflows: sagaWorkflows,
        activities: createOrderActivities({ stock: { lamp: 5 }, declineCardsOver: 500, journal }),
      },
    ],
  });
}, 60_000);

afterEach(async () => {
  // After each test: every history gap-free, resolved at most once, one close event, replayable;
  // and no task left visible or in flight in any queue.
  expect(await env.verifyHistories()).toEqual([]);
  const stack = env.localStack!;
  const urls = [
    stack.queues.system.url,
    ...stack.queues.perTaskQueue.flatMap((q) => [q.workflow.url, q.activity.url]),
  ];
  await eventually(async () => (await messagesInFlight(urls)) === 0, 15_000);
  expect(stack.discardedStreamRecords).toEqual([]);
});

afterAll(async () => {
  await env?.teardown();
});

const applicant = (name: string) => ({ name, ssn: '123-45-6789', email: `${name}@example.com` });

describe('the seed scenarios on the local stack', () => {
  it('approves a loan after one failed credit-bureau call and rejects a low score', async () => {
    const approved = await env.client.workflow.execute(loanWorkflows.loanApplication, {
      taskQueue: 'loans',
      workflowId: 'local-loan-ada',
      args: [{ applicationId: 'L-1', applicant: applicant('ada'), amount: 1000 }],
    });
    expect(approved).toMatchObject({ approved: true, creditScore: 720 });
    const rejected = await env.client.workflow.execute(loanWorkflows.loanApplication, {
      taskQueue: 'loans',
      workflowId: 'local-loan-bob',
      args: [{ applicationId: 'L-2', applicant: applicant('bob'), amount: 1000 }],
    });
    expect(rejected).toMatchObject({ approved: false, reason: 'Credit score below threshold' });
  });

  it('compensates an order whose card is declined', async () => {
    const error = await env.client.workflow
      .execute(sagaWorkflows.orderSaga, {
        taskQueue: 'orders',
        workflowId: 'local-order',
        args: [{ orderId: 'O-9', sku: 'lamp', quantity: 1, amount: 900, address: 'x' }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause.cause).toBeInstanceOf(ActivityFailure);
    expect(journal).toEqual(['reserve lamp x1', 'release lamp x1']);
  });
});

describe('signals, queries and updates over HTTP', () => {
  it('accumulates signals, answers queries, validates updates, and lists by search attribute', async () => {
    const handle = await env.client.workflow.start(workflows.accumulator, {
      taskQueue: 'local',
      workflowId: 'acc-1',
      args: ['blue'],
    });
    await env.client.workflow.start(workflows.accumulator, {
      taskQueue: 'local',
      workflowId: 'acc-2',
      args: ['green'],
    });
    await expect(
      env.client.workflow.start(workflows.accumulator, {
        taskQueue: 'local',
        workflowId: 'acc-1',
        args: ['again'],
      }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await handle.signal(workflows.add, 30);
    await handle.signal(workflows.add, 50);
    expect(await eventually(async () => (await handle.query(workflows.total)) === 80 && 80)).toBe(80);
    await expect(handle.executeUpdate(workflows.setLimit, { args: [-1] })).rejects.toBeInstanceOf(
      WorkflowUpdateFailedError,
    );
    expect(await handle.executeUpdate(workflows.setLimit, { args: [60] })).toBe(60);
    const blue: string[] = [];
    for await (const run of env.client.workflow.list({
      query: "Tag = 'blue' AND ExecutionStatus = 'Running'",
    })) {
      blue.push(run.workflowId);
    }
    expect(blue).toEqual(['acc-1']);
    await handle.signal(workflows.finish);
    await env.client.workflow.getHandle('acc-2').signal(workflows.finish);
    expect(await handle.result()).toBe(60);
  });
});

describe('children and continue-as-new', () => {
  it('composes a parent result from a child workflow', async () => {
    expect(
      await env.client.workflow.execute(workflows.parentOfSquares, {
        taskQueue: 'local',
        workflowId: 'parent-sq',
        args: [4],
      }),
    ).toBe(30);
  });

  it('continues as new three times and the client follows the chain', async () => {
    const handle = await env.client.workflow.start(workflows.countdown, {
      taskQueue: 'local',
      workflowId: 'countdown',
      args: [3],
    });
    expect(await handle.result()).toBe('liftoff');
    const runs = (await env.histories()).filter((h) => h.state.workflowId === 'countdown');
    expect(runs).toHaveLength(4);
  });
});

describe('retention', () => {
  it('writes every history item with an expiry that covers the retention, so the close writes nothing more', async () => {
    const handle = await env.client.workflow.start(workflows.squares, {
      taskQueue: 'local',
      workflowId: 'retained',
      args: [1],
    });
    await handle.result();
    const { runId, closeTime } = await handle.describe();
    const runtime = env.localStack!.runtime;
    const page = await runtime.dynamodb.send(
      new QueryCommand({
        TableName: runtime.environment.CAIRN_HISTORY_TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `default#${runId}` } },
        ConsistentRead: true,
      }),
    );
    const items = page.Items ?? [];
    expect(items.length).toBeGreaterThan(1);
    const keepUntil = Math.floor((closeTime!.getTime() + 30 * 86_400_000) / 1000);
    for (const item of items) expect(Number(item.expiresAt?.N)).toBeGreaterThanOrEqual(keepUntil);
  });
});

describe('scale', () => {
  it('runs 100 concurrent workflows to completion', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        env.client.workflow.execute(workflows.squares, {
          taskQueue: 'local',
          workflowId: `many-${i}`,
          args: [3],
        }),
      ),
    );
    expect(results.every((r) => JSON.stringify(r) === '[1,4,9]')).toBe(true);
  }, 120_000);

  it('schedules 1,000 activities in one workflow task and returns every result in order', async () => {
    const handle = await env.client.workflow.start(workflows.fanOut, {
      taskQueue: 'local',
      workflowId: 'fan-out',
      args: [1000],
    });
    const result = await handle.result();
    expect(result).toEqual(Array.from({ length: 1000 }, (_, i) => i * i));
    const { events } = await handle.fetchHistory();
    const firstTask = events.findIndex((e) => e.type === 'WorkflowTaskCompleted');
    expect(
      events.slice(firstTask + 1, firstTask + 1001).every((e) => e.type === 'ActivityTaskScheduled'),
    ).toBe(true);
  }, 120_000);

  it('round-trips a 1 MB activity result through S3 offload', async () => {
    const result = await env.client.workflow.execute(workflows.bigPayload, {
      taskQueue: 'local',
      workflowId: 'big',
      args: [1024 * 1024],
    });
    expect(result.length).toBe(1024 * 1024);
    expect(env.localStack!.runtime.store.capacity.s3Puts).toBeGreaterThan(0);
  }, 60_000);
});

// The engine-side features Temporal code relies on, on the local stack (DynamoDB Local + SQS
// emulator + the real handlers), Temporal-style: startUpdate with WorkflowUpdateStage and
// update-with-start over the HTTP API, eager workflow start, and local activities.
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  WorkflowUpdateNotFoundError,
  WorkflowUpdateStage,
} from 'cairnflow/client';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { DefaultLogger, Runtime, Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyPk } from '../../../sdk/backend/dynamodb/keys.ts';
import { greet, greetTomorrow } from '../temporal-style/eager-workflows.ts';
import * as localActivities from '../temporal-style/local-activities.ts';
import { countLocally, proceed, retryThroughTimers } from '../temporal-style/local-activity-workflows.ts';
import * as activities from '../temporal-style/update-activities.ts';
import { addItem, checkout, shoppingCart } from '../temporal-style/update-workflows.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createLocal();
}, 60_000);

afterAll(async () => {
  expect(await testEnv?.verifyHistories()).toEqual([]);
  await testEnv?.teardown();
});

describe('updates on the local stack', () => {
  it('starts a cart with its first update atomically, then updates it by stage', async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'carts-local',
      workflows: { shoppingCart },
      activities,
    });
    await worker.runUntil(async () => {
      const op = new WithStartWorkflowOperation(shoppingCart, {
        workflowId: 'cart-local-1',
        taskQueue: 'carts-local',
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      expect(
        await testEnv.client.workflow.executeUpdateWithStart(addItem, {
          args: ['pear'],
          startWorkflowOperation: op,
        }),
      ).toBe(4);
      const handle = await op.workflowHandle();
      const { events } = await handle.fetchHistory();
      expect(events.slice(0, 3).map((e) => e.type)).toEqual([
        'WorkflowExecutionStarted',
        'WorkflowExecutionUpdateAdmitted',
        'WorkflowTaskScheduled',
      ]);
      // The start sent the run's first tasks itself: the router is spared its first batch.
      const { runtime } = testEnv.localStack!;
      const { Items } = await runtime.dynamodb.send(
        new QueryCommand({
          TableName: runtime.environment.CAIRN_HISTORY_TABLE,
          KeyConditionExpression: 'pk = :pk AND sk = :first',
          ExpressionAttributeValues: {
            ':pk': { S: historyPk(testEnv.namespace, handle.firstExecutionRunId!) },
            ':first': { N: '1' },
          },
        }),
      );
      expect(Items?.map((item) => item.quiet?.BOOL)).toEqual([true]);

      const update = await handle.startUpdate(addItem, {
        args: ['apple'],
        updateId: 'local-apple',
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      expect(update.workflowRunId).toBe(handle.firstExecutionRunId);
      expect(await update.result()).toBe(9);
      expect(
        await testEnv.client.workflow.getHandle('cart-local-1').getUpdateHandle('local-apple').result(),
      ).toBe(9);
      await expect(handle.getUpdateHandle('missing').result()).rejects.toBeInstanceOf(
        WorkflowUpdateNotFoundError,
      );

      const rejected = new WithStartWorkflowOperation(shoppingCart, {
        workflowId: 'cart-local-1',
        taskQueue: 'carts-local',
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      const started = await testEnv.client.workflow.startUpdateWithStart(addItem, {
        args: [''],
        waitForStage: 'ACCEPTED',
        startWorkflowOperation: rejected,
      });
      await expect(started.result()).rejects.toBeInstanceOf(WorkflowUpdateFailedError);

      await handle.signal(checkout);
      expect(await handle.result()).toEqual({ items: ['pear', 'apple'], total: 9 });
    });
  });

  it('records a rejected first update and keeps the run it started', async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'carts-local',
      workflows: { shoppingCart },
      activities,
    });
    await worker.runUntil(async () => {
      const op = new WithStartWorkflowOperation(shoppingCart, {
        workflowId: 'cart-local-2',
        taskQueue: 'carts-local',
        workflowIdConflictPolicy: 'FAIL',
      });
      const error = await testEnv.client.workflow
        .executeUpdateWithStart(addItem, { args: [''], startWorkflowOperation: op })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      const handle = await op.workflowHandle();
      const types = (await handle.fetchHistory()).events.map((e) => e.type);
      expect(types).toContain('WorkflowExecutionUpdateRejected');
      await handle.signal(checkout);
      expect(await handle.result()).toEqual({ items: [], total: 0 });
    });
  });

  it('answers bad update-with-start bodies and polls with 4xx and a message', async () => {
    const post = (body: unknown) =>
      fetch(`${testEnv.endpoint}/v1/namespaces/default/update-with-start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const start = { workflowId: 'cart-bad', workflowType: 'shoppingCart', taskQueue: 'carts-local' };
    const missingPolicy = await post({ start, update: { name: 'addItem' }, waitForStage: 'ACCEPTED' });
    expect(missingPolicy.status).toBe(400);
    expect(await missingPolicy.text()).toMatch(/workflowIdConflictPolicy/);
    const admitted = await post({
      start,
      workflowIdConflictPolicy: 'FAIL',
      update: { name: 'addItem' },
      waitForStage: 'ADMITTED',
    });
    expect(admitted.status).toBe(400);
    const poll = await fetch(
      `${testEnv.endpoint}/v1/namespaces/default/workflows/nope/updates/u1/outcome?waitForStage=LATER`,
    );
    expect(poll.status).toBe(400);
    expect(await poll.text()).toMatch(/waitForStage/);
  });
});

describe('eager start on the local stack', () => {
  it('runs the first workflow task on the worker function within the start request', async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'eager-local',
      workflows: { greet, greetTomorrow },
    });
    await worker.runUntil(async () => {
      const handle = await testEnv.client.workflow.start(greet, {
        taskQueue: 'eager-local',
        workflowId: 'eager-local-1',
        args: ['Ada'],
        requestEagerStart: true,
      });
      expect(handle.eagerlyStarted).toBe(true);
      expect((await handle.describe()).status).toBe('Completed');
      expect(await handle.result()).toBe('Hello, Ada!');

      const plain = await testEnv.client.workflow.start(greetTomorrow, {
        taskQueue: 'eager-local',
        workflowId: 'eager-local-2',
        args: ['Grace'],
      });
      expect(plain.eagerlyStarted).toBe(false);
      await plain.terminate('done looking');
    });
  });
});

describe('local activities on the local stack', () => {
  it('runs them in the worker function, records markers, and retries beyond the threshold on timers', async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'local-activities-local',
      workflows: { countLocally, retryThroughTimers },
      activities: localActivities,
    });
    await worker.runUntil(async () => {
      const counting = await testEnv.client.workflow.start(countLocally, {
        taskQueue: 'local-activities-local',
        workflowId: 'local-count-1',
        args: ['stack-count', 3],
      });
      // Signalled once the first task committed: a signal during the task would move the run's
      // head, the task would lose its commit and run again (local activities are at least once).
      const markers = async () =>
        (await counting.fetchHistory()).events.filter((e) => e.type === 'MarkerRecorded').length;
      for (let i = 0; i < 100 && (await markers()) < 3; i++) await new Promise((r) => setTimeout(r, 100));
      await counting.signal(proceed);
      expect(await counting.result()).toBe(4);
      expect(localActivities.runs['addOne:stack-count']).toBe(4);
      const counted = (await counting.fetchHistory()).events.map((e) => e.type);
      expect(counted.filter((t) => t === 'MarkerRecorded')).toHaveLength(4);
      expect(counted).not.toContain('ActivityTaskScheduled');

      const retried = await testEnv.client.workflow.execute(retryThroughTimers, {
        taskQueue: 'local-activities-local',
        workflowId: 'local-timer-retry-1',
        args: ['stack-timer', 1000],
      });
      expect(retried).toBe(3);
      expect(localActivities.runs['flaky:stack-timer']).toBe(3);
      const events = (await testEnv.client.workflow.getHandle('local-timer-retry-1').fetchHistory()).events;
      expect(events.filter((e) => e.type === 'TimerFired')).toHaveLength(2);
    });
  }, 60_000);
});

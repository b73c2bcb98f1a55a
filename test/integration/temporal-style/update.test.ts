// Updates as Temporal's samples use them: handle.startUpdate with WorkflowUpdateStage, update
// handles by id, and update-with-start (WithStartWorkflowOperation, executeUpdateWithStart /
// startUpdateWithStart), which starts a run and admits its update in one write.
import {
  InvalidArgumentError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateNotFoundError,
  WorkflowUpdateStage,
} from 'cairnflow/client';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { DefaultLogger, Runtime, Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from './update-activities.ts';
import { addItem, checkout, itemsQuery, shoppingCart } from './update-workflows.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });

let testEnv: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
  worker = await Worker.create({
    connection: testEnv.nativeConnection,
    taskQueue: 'carts',
    workflows: { shoppingCart },
    activities,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  expect(await testEnv.verifyHistories()).toEqual([]);
  await testEnv?.teardown();
});

const types = async (workflowId: string) =>
  (await testEnv.client.workflow.getHandle(workflowId).fetchHistory()).events.map((e) => e.type);

describe('handle.startUpdate', () => {
  it('returns a WorkflowUpdateHandle once the update is accepted; result() waits for the handler', async () => {
    const handle = await testEnv.client.workflow.start(shoppingCart, {
      taskQueue: 'carts',
      workflowId: 'cart-1',
    });
    const update = await handle.startUpdate(addItem, {
      args: ['apple'],
      updateId: 'add-apple',
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    expect(update.updateId).toBe('add-apple');
    expect(update.workflowId).toBe('cart-1');
    expect(update.workflowRunId).toBe(handle.firstExecutionRunId);
    expect(await update.result()).toBe(5);
    const completed = await handle.startUpdate(addItem, { args: ['fig'], waitForStage: 'COMPLETED' });
    expect(await completed.result()).toBe(8);
    // Another handle finds the update by its id.
    expect(
      await testEnv.client.workflow.getHandle('cart-1').getUpdateHandle<number>('add-apple').result(),
    ).toBe(5);
    await handle.signal(checkout);
    expect(await handle.result()).toEqual({ items: ['apple', 'fig'], total: 8 });
  });

  it('accepts a rejected update at ACCEPTED and rejects its result with WorkflowUpdateFailedError, leaving no trace', async () => {
    const handle = await testEnv.client.workflow.start(shoppingCart, {
      taskQueue: 'carts',
      workflowId: 'cart-2',
    });
    const before = await types('cart-2');
    const update = await handle.startUpdate(addItem, {
      args: [''],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    const error = await update.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((error as WorkflowUpdateFailedError).cause?.message).toBe('an item needs a name');
    expect((await types('cart-2')).filter((t) => t.startsWith('WorkflowExecutionUpdate'))).toEqual(
      before.filter((t) => t.startsWith('WorkflowExecutionUpdate')),
    );
    await handle.signal(checkout);
    await handle.result();
  });

  it('refuses an unknown update id, and stages it cannot wait for', async () => {
    const handle = await testEnv.client.workflow.start(shoppingCart, {
      taskQueue: 'carts',
      workflowId: 'cart-3',
    });
    await expect(handle.getUpdateHandle('no-such-update').result()).rejects.toBeInstanceOf(
      WorkflowUpdateNotFoundError,
    );
    await expect(
      handle.startUpdate(addItem, { args: ['x'], waitForStage: WorkflowUpdateStage.ADMITTED }),
    ).rejects.toThrow(/ADMITTED is not supported/);
    await expect(
      handle.startUpdate(addItem, { args: ['x'], waitForStage: 'SOON' as never }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => handle.getUpdateHandle('')).toThrow(InvalidArgumentError);
    await handle.signal(checkout);
    await handle.result();
  });
});

describe('update-with-start', () => {
  it('starts the workflow with its first update in one write, then updates the running run (USE_EXISTING)', async () => {
    const startOp = () =>
      new WithStartWorkflowOperation(shoppingCart, {
        workflowId: 'cart-uws-1',
        taskQueue: 'carts',
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    const first = startOp();
    const total = await testEnv.client.workflow.executeUpdateWithStart(addItem, {
      args: ['pear'],
      startWorkflowOperation: first,
    });
    expect(total).toBe(4);
    const handle = await first.workflowHandle();
    expect(handle.workflowId).toBe('cart-uws-1');
    // The start's write holds the admission: nothing between the run's start and its update.
    const history = await handle.fetchHistory();
    expect(history.events.slice(0, 3).map((e) => [e.type, e.eventTime])).toEqual([
      ['WorkflowExecutionStarted', history.events[0]!.eventTime],
      ['WorkflowExecutionUpdateAdmitted', history.events[0]!.eventTime],
      ['WorkflowTaskScheduled', history.events[0]!.eventTime],
    ]);

    const second = startOp();
    const update = await testEnv.client.workflow.startUpdateWithStart(addItem, {
      args: ['plum'],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
      startWorkflowOperation: second,
    });
    expect(update.workflowRunId).toBe(history.runId);
    expect(await update.result()).toBe(8);
    expect((await second.workflowHandle()).firstExecutionRunId).toBe(history.runId);
    expect(await handle.query(itemsQuery)).toEqual(['pear', 'plum']);
    await handle.signal(checkout);
    expect(await handle.result()).toEqual({ items: ['pear', 'plum'], total: 8 });
  });

  it('creates exactly one run when two update-with-starts race for a workflow id', async () => {
    const op = () =>
      WithStartWorkflowOperation.create(shoppingCart, {
        workflowId: 'cart-race',
        taskQueue: 'carts',
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    const totals = await Promise.all(
      ['kiwi', 'lime', 'date'].map((item) =>
        testEnv.client.workflow.executeUpdateWithStart(addItem, {
          args: [item],
          startWorkflowOperation: op(),
        }),
      ),
    );
    expect(totals.sort((a, b) => a - b)).toEqual([4, 8, 12]);
    const runs = [];
    for await (const run of testEnv.client.workflow.list({ query: "WorkflowId = 'cart-race'" }))
      runs.push(run);
    expect(runs).toHaveLength(1);
    const handle = testEnv.client.workflow.getHandle<typeof shoppingCart>('cart-race');
    await handle.signal(checkout);
    expect((await handle.result()).total).toBe(12);
  });

  it('keeps the started run when the update is rejected, and records the rejection', async () => {
    const op = new WithStartWorkflowOperation(shoppingCart, {
      workflowId: 'cart-uws-rejected',
      taskQueue: 'carts',
      workflowIdConflictPolicy: 'FAIL',
    });
    const error = await testEnv.client.workflow
      .executeUpdateWithStart(addItem, { args: [''], startWorkflowOperation: op })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((error as WorkflowUpdateFailedError).cause?.message).toBe('an item needs a name');
    const handle = await op.workflowHandle();
    expect((await handle.describe()).status).toBe('Running');
    expect(await types('cart-uws-rejected')).toContain('WorkflowExecutionUpdateRejected');
    expect(await types('cart-uws-rejected')).not.toContain('WorkflowExecutionUpdateAccepted');
    await handle.signal(checkout);
    expect(await handle.result()).toEqual({ items: [], total: 0 });
  });

  it('finds its own run again when sent again with the same updateId, whatever the conflict policy', async () => {
    const op = () =>
      new WithStartWorkflowOperation(shoppingCart, {
        workflowId: 'cart-uws-resend',
        taskQueue: 'carts',
        workflowIdConflictPolicy: 'FAIL',
      });
    const send = (startWorkflowOperation: WithStartWorkflowOperation<typeof shoppingCart>) =>
      testEnv.client.workflow.executeUpdateWithStart(addItem, {
        args: ['lychee'],
        updateId: 'resent-lychee',
        startWorkflowOperation,
      });
    const first = op();
    const second = op();
    expect(await send(first)).toBe(6);
    expect(await send(second)).toBe(6);
    expect((await second.workflowHandle()).firstExecutionRunId).toBe(
      (await first.workflowHandle()).firstExecutionRunId,
    );
    const handle = testEnv.client.workflow.getHandle<typeof shoppingCart>('cart-uws-resend');
    await handle.signal(checkout);
    expect(await handle.result()).toEqual({ items: ['lychee'], total: 6 });
  });

  it('refuses a running workflow with FAIL, and rejects the operation’s workflowHandle too', async () => {
    await testEnv.client.workflow.start(shoppingCart, { taskQueue: 'carts', workflowId: 'cart-uws-fail' });
    const op = new WithStartWorkflowOperation(shoppingCart, {
      workflowId: 'cart-uws-fail',
      taskQueue: 'carts',
      workflowIdConflictPolicy: 'FAIL',
    });
    await expect(
      testEnv.client.workflow.executeUpdateWithStart(addItem, { args: ['fig'], startWorkflowOperation: op }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await expect(op.workflowHandle()).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await testEnv.client.workflow.getHandle('cart-uws-fail').signal(checkout);
  });

  it('terminates the running run and starts a new one with the update (TERMINATE_EXISTING)', async () => {
    const old = await testEnv.client.workflow.start(shoppingCart, {
      taskQueue: 'carts',
      workflowId: 'cart-uws-term',
    });
    const op = new WithStartWorkflowOperation(shoppingCart, {
      workflowId: 'cart-uws-term',
      taskQueue: 'carts',
      workflowIdConflictPolicy: 'TERMINATE_EXISTING',
    });
    expect(
      await testEnv.client.workflow.executeUpdateWithStart(addItem, {
        args: ['melon'],
        startWorkflowOperation: op,
      }),
    ).toBe(5);
    const oldRun = testEnv.client.workflow.getHandle('cart-uws-term', old.firstExecutionRunId);
    expect((await oldRun.describe()).status).toBe('Terminated');
    const handle = await op.workflowHandle();
    expect(handle.firstExecutionRunId).not.toBe(old.firstExecutionRunId);
    await handle.signal(checkout);
    expect((await handle.result()).items).toEqual(['melon']);
  });

  it('refuses bad operations: a missing conflict policy, a reused operation, a conflicting reuse policy', async () => {
    expect(
      () => new WithStartWorkflowOperation(shoppingCart, { workflowId: 'x', taskQueue: 'carts' } as never),
    ).toThrow(/workflowIdConflictPolicy must be one of FAIL, USE_EXISTING, TERMINATE_EXISTING/);
    await expect(
      testEnv.client.workflow.executeUpdateWithStart(addItem, {
        args: ['x'],
        startWorkflowOperation: {} as never,
      }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    const op = new WithStartWorkflowOperation(shoppingCart, {
      workflowId: 'cart-uws-once',
      taskQueue: 'carts',
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    await testEnv.client.workflow.executeUpdateWithStart(addItem, {
      args: ['a'],
      startWorkflowOperation: op,
    });
    await expect(
      testEnv.client.workflow.executeUpdateWithStart(addItem, { args: ['b'], startWorkflowOperation: op }),
    ).rejects.toThrow(/already been used/);
    await testEnv.client.workflow.getHandle('cart-uws-once').signal(checkout);
    const terminating = new WithStartWorkflowOperation(shoppingCart, {
      workflowId: 'cart-uws-policy',
      taskQueue: 'carts',
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'TERMINATE_IF_RUNNING',
    });
    await expect(
      testEnv.client.workflow.executeUpdateWithStart(addItem, {
        args: ['c'],
        startWorkflowOperation: terminating,
      }),
    ).rejects.toThrow(/TERMINATE_EXISTING/);
  });
});

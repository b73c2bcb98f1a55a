// Tests in the shape of Temporal's own samples: an environment without workers, a Worker created on
// its native connection, and worker.runUntil(...). Porting one means changing the imports.
import { fileURLToPath } from 'node:url';
import { Connection, InvalidArgumentError, WorkflowUpdateFailedError } from 'cairnflow/client';
import { checkHistoryInvariants, replayHistory, TestWorkflowEnvironment, Worker } from 'cairnflow/testing';
import { Worker as WorkerOfWorkerPackage } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from './activities.ts';
import * as workflows from './workflows.ts';
import {
  billingPeriods,
  cancelSubscription,
  done,
  door,
  quoteWithDeadline,
  subscription,
  transition,
} from './workflows.ts';

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
});

afterAll(async () => {
  // The workers are gone by now: replay every recorded history with the workflows module directly.
  const histories = testEnv.allHistories();
  expect(histories.length).toBeGreaterThanOrEqual(4);
  for (const { events } of histories) {
    expect(checkHistoryInvariants(events)).toEqual([]);
    await replayHistory({ workflows }, events);
  }
  await testEnv.teardown();
});

describe('Temporal-style tests', () => {
  it('bills a subscription every 30 days until it is cancelled', async () => {
    const { client, nativeConnection } = testEnv;
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue: 'billing',
      workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
      activities,
    });
    await worker.runUntil(async () => {
      const start = await testEnv.currentTimeMs();
      const handle = await client.workflow.start(subscription, {
        taskQueue: 'billing',
        workflowId: 'sub-1',
        args: ['c-1'],
      });
      await testEnv.sleep('75 days');
      expect(await handle.query(billingPeriods)).toBe(3);
      await handle.signal(cancelSubscription);
      expect(await handle.result()).toBe(3);
      expect(activities.charges.filter((c) => c.customerId === 'c-1').map((c) => c.period)).toEqual([
        1, 2, 3,
      ]);
      expect((await testEnv.currentTimeMs()) - start).toBe(75 * 86_400_000);
    });
  });

  it('races a timer against an activity', async () => {
    const { client, nativeConnection } = testEnv;
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue: 'quotes',
      workflows: { quoteWithDeadline },
      activities,
    });
    const [fast, slow] = await worker.runUntil(
      Promise.all([
        client.workflow.execute(quoteWithDeadline, {
          taskQueue: 'quotes',
          workflowId: 'q-fast',
          args: ['ACME', false],
        }),
        client.workflow.execute(quoteWithDeadline, {
          taskQueue: 'quotes',
          workflowId: 'q-slow',
          args: ['ACME', true],
        }),
      ]),
    );
    expect(fast).toBe('quote 40');
    expect(slow).toBe('timeout');
  });

  it('drives a state machine with updates, rejecting invalid transitions', async () => {
    const { client, nativeConnection } = testEnv;
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue: 'doors',
      workflows: { door },
      activities,
    });
    await worker.runUntil(async () => {
      const handle = await client.workflow.start(door, { taskQueue: 'doors', workflowId: 'door-1' });
      expect(await handle.executeUpdate(transition, { args: ['lock'] })).toBe('locked');
      await expect(handle.executeUpdate(transition, { args: ['open'] })).rejects.toThrow(
        WorkflowUpdateFailedError,
      );
      expect(await handle.executeUpdate(transition, { args: ['unlock'] })).toBe('closed');
      expect(await handle.executeUpdate(transition, { args: ['open'] })).toBe('open');
      await handle.signal(done);
      expect(await handle.result()).toEqual(['closed', 'locked', 'closed', 'open']);
    });
  });

  it('creates the same Worker from cairnflow/worker, and refuses a connection that cannot host it', async () => {
    expect(WorkerOfWorkerPackage).toBe(Worker);
    const worker = await WorkerOfWorkerPackage.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'doors-2',
      workflows: { door },
    });
    const result = await worker.runUntil(async () => {
      const handle = await testEnv.client.workflow.start(door, {
        taskQueue: 'doors-2',
        workflowId: 'door-2',
      });
      await handle.signal(done);
      return handle.result();
    });
    expect(result).toEqual(['closed']);
    // An HTTP connection reaches an engine elsewhere: workers there are Lambda functions.
    await expect(
      Worker.create({
        connection: Connection.lazy({ address: 'http://127.0.0.1:1' }),
        taskQueue: 'doors-3',
        workflows: { door },
      }),
    ).rejects.toThrow(InvalidArgumentError);
  });

  it('refuses test-server options the environment does not have', async () => {
    await expect(
      TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'cached-download' } },
      } as never),
    ).rejects.toThrow(/'server' is not supported \(there is no separate test server/);
    await expect(TestWorkflowEnvironment.createLocal({ client: {} } as never)).rejects.toThrow(
      /'client' is not supported \(pass dataConverter and namespace directly\)/,
    );
  });
});

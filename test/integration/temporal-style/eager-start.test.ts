// Eager workflow start, as in Temporal: `requestEagerStart` hands the new run's first workflow task
// to the worker within the start call, and `handle.eagerlyStarted` says whether that happened.
import { InvalidArgumentError } from 'cairnflow/client';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { DefaultLogger, Runtime, Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greet, greetTomorrow } from './eager-workflows.ts';

Runtime.install({ logger: new DefaultLogger('ERROR') });

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
});

afterAll(async () => {
  expect(await testEnv.verifyHistories()).toEqual([]);
  await testEnv?.teardown();
});

describe('requestEagerStart', () => {
  it('runs the first workflow task within the start call and says so', async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'eager',
      workflows: { greet, greetTomorrow },
    });
    await worker.runUntil(async () => {
      const handle = await testEnv.client.workflow.start(greet, {
        taskQueue: 'eager',
        workflowId: 'eager-1',
        args: ['Ada'],
        requestEagerStart: true,
      });
      expect(handle.eagerlyStarted).toBe(true);
      // The run's only task ran before start returned: it is closed already.
      expect((await handle.describe()).status).toBe('Completed');
      expect(await handle.result()).toBe('Hello, Ada!');

      const later = await testEnv.client.workflow.start(greetTomorrow, {
        taskQueue: 'eager',
        workflowId: 'eager-2',
        args: ['Grace'],
        requestEagerStart: true,
      });
      expect(later.eagerlyStarted).toBe(true);
      const types = (await later.fetchHistory()).events.map((e) => e.type);
      expect(types).toEqual([
        'WorkflowExecutionStarted',
        'WorkflowTaskScheduled',
        'WorkflowTaskStarted',
        'WorkflowTaskCompleted',
        'TimerStarted',
      ]);
      expect(await later.result()).toBe('Good morning, Grace!');
      // The task's queued backstop found nothing left to do: one task per wake-up, no more.
      const after = (await later.fetchHistory()).events.filter((e) => e.type === 'WorkflowTaskStarted');
      expect(after).toHaveLength(2);
    });
  });

  it('is false without the request, and false (the task queued as usual) when no worker can take it', async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'eager',
      workflows: { greet },
    });
    const plain = await worker.runUntil(
      testEnv.client.workflow.start(greet, { taskQueue: 'eager', workflowId: 'eager-3', args: ['Alan'] }),
    );
    expect(plain.eagerlyStarted).toBe(false);
    const queued = await testEnv.client.workflow.start(greet, {
      taskQueue: 'eager-later',
      workflowId: 'eager-4',
      args: ['Edsger'],
      requestEagerStart: true,
    });
    expect(queued.eagerlyStarted).toBe(false);
    const lateWorker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'eager-later',
      workflows: { greet },
    });
    expect(await lateWorker.runUntil(queued.result())).toBe('Hello, Edsger!');
  });

  it('refuses a requestEagerStart that is not a boolean', async () => {
    await expect(
      testEnv.client.workflow.start(greet, {
        taskQueue: 'eager',
        workflowId: 'eager-5',
        requestEagerStart: 'yes' as never,
      }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

// `new CancellationScope()` and `new CancellationScope({ cancellable, timeout })` with `scope.run`,
// and a non-cancellable scope that hears its parent's cancellation, as in Temporal.
import { WorkflowFailedError } from 'cairnflow/client';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { DefaultLogger, Runtime, Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from './scope-activities.ts';
import * as workflows from './scope-workflows.ts';
import { cancelOwnScope, cleanupAfterCancel, releaseCleanup, stepWithTimeout } from './scope-workflows.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });

let testEnv: TestWorkflowEnvironment;
let worker: Worker;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
  worker = await Worker.create({
    connection: testEnv.nativeConnection,
    taskQueue: 'scopes',
    workflows,
    activities,
  });
});

afterAll(async () => {
  expect(await testEnv.verifyHistories()).toEqual([]);
  await testEnv?.teardown();
});

describe('new CancellationScope(...)', () => {
  it("rejects a non-cancellable scope's cancelRequested when the workflow is cancelled, and lets its work finish", async () => {
    const failure = await worker.runUntil(async () => {
      const handle = await testEnv.client.workflow.start(cleanupAfterCancel, {
        taskQueue: 'scopes',
        workflowId: 'scope-cleanup',
      });
      await testEnv.sleep('1 hour');
      await handle.cancel();
      await testEnv.sleep('1 minute');
      await handle.signal(releaseCleanup);
      return handle.result().catch((error: unknown) => error);
    });
    // The workflow returned normally after the cancellation: the cleanup ran to its end.
    expect(failure).not.toBeInstanceOf(WorkflowFailedError);
    expect(failure).toEqual(['cleanup heard the cancel', 'sleep cancelled', 'cleaned up after cancel']);
  });

  it('cancels a scope built with a timeout when the timeout fires', async () => {
    const result = await worker.runUntil(
      testEnv.client.workflow.execute(stepWithTimeout, { taskQueue: 'scopes', workflowId: 'scope-timeout' }),
    );
    expect(result).toBe('timed out');
  });

  it('builds a cancellable scope with no options', async () => {
    const result = await worker.runUntil(
      testEnv.client.workflow.execute(cancelOwnScope, { taskQueue: 'scopes', workflowId: 'scope-own' }),
    );
    expect(result).toBe('cancelled');
  });
});

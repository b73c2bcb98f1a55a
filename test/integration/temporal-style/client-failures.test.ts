// The failure classes of a WorkflowFailedError's cause chain, imported from cairnflow/client as
// Temporal's samples import them from @temporalio/client: instanceof works on what the client throws.
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  TemporalFailure,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowFailedError,
} from 'cairnflow/client';
import * as common from 'cairnflow/common';
import { TestWorkflowEnvironment, Worker } from 'cairnflow/testing';
import * as wf from 'cairnflow/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from './client-failures-activities.ts';
import * as workflows from './client-failures-workflows.ts';

let testEnv: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
  worker = await Worker.create({
    connection: testEnv.nativeConnection,
    taskQueue: 'client-failures',
    workflows,
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

async function failureOf(promise: Promise<unknown>): Promise<WorkflowFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return error as WorkflowFailedError;
}

describe('failure classes from cairnflow/client', () => {
  it('are the classes of cairnflow/common and cairnflow/workflow', () => {
    expect(ActivityFailure).toBe(common.ActivityFailure);
    expect(ApplicationFailure).toBe(wf.ApplicationFailure);
    expect(TemporalFailure).toBe(common.CairnFailure);
    expect(ApplicationFailure.create({ message: 'm' })).toBeInstanceOf(TemporalFailure);
  });

  it('catches an activity failure with its application failure as cause', async () => {
    const { client } = testEnv;
    const error = await failureOf(
      client.workflow.execute(workflows.payment, {
        taskQueue: 'client-failures',
        workflowId: 'pay-1',
        args: ['c-1'],
      }),
    );
    expect(error.cause).toBeInstanceOf(ActivityFailure);
    expect(error.cause).toBeInstanceOf(TemporalFailure);
    const cause = error.cause?.cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('CardDeclined');
    expect((cause as ApplicationFailure).message).toBe('card c-1 declined');
  });

  it('catches a child workflow failure', async () => {
    const error = await failureOf(
      testEnv.client.workflow.execute(workflows.checkout, {
        taskQueue: 'client-failures',
        workflowId: 'checkout-1',
        args: ['c-2'],
      }),
    );
    expect(error.cause).toBeInstanceOf(ChildWorkflowFailure);
    expect((error.cause as ChildWorkflowFailure).workflowId).toBe('checkout-1-payment');
    expect(error.cause?.cause).toBeInstanceOf(ActivityFailure);
  });

  it('catches an activity timeout', async () => {
    const error = await failureOf(
      testEnv.client.workflow.execute(workflows.slowShipping, {
        taskQueue: 'client-failures',
        workflowId: 'ship-1',
      }),
    );
    expect(error.cause).toBeInstanceOf(ActivityFailure);
    expect(error.cause?.cause).toBeInstanceOf(TimeoutFailure);
    expect(error.cause?.cause).toMatchObject({ timeoutType: 'StartToClose' });
  });

  it('catches a cancelled and a terminated run', async () => {
    const { client } = testEnv;
    const cancelled = await client.workflow.start(workflows.waitForever, {
      taskQueue: 'client-failures',
      workflowId: 'wait-cancel',
    });
    await cancelled.cancel();
    expect((await failureOf(cancelled.result())).cause).toBeInstanceOf(CancelledFailure);

    const terminated = await client.workflow.start(workflows.waitForever, {
      taskQueue: 'client-failures',
      workflowId: 'wait-terminate',
    });
    await terminated.terminate('operator said so');
    const error = await failureOf(terminated.result());
    expect(error.cause).toBeInstanceOf(TerminatedFailure);
    expect(error.cause?.message).toBe('operator said so');
  });
});

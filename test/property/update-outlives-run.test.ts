/**
 * An update accepted but not completed when its run closes (the workflow returns without waiting
 * for its handlers, or is terminated) fails with `WorkflowUpdateFailedError` whose cause is an
 * `ApplicationFailure` of type `AcceptedUpdateCompletedWorkflow`, as Temporal answers; it must not
 * leave `executeUpdate` waiting forever. Found by the property test.
 */
import { WorkflowUpdateFailedError } from 'cairnflow/client';
import { ApplicationFailure } from 'cairnflow/common';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { condition, defineUpdate, setHandler } from 'cairnflow/workflow';
import { afterEach, expect, it } from 'vitest';

const block = defineUpdate<string>('block');

/** Returns as soon as its update handler has started, leaving the handler running. */
async function returnsWhileUpdateRuns(): Promise<string> {
  let handlerStarted = false;
  setHandler(block, async () => {
    handlerStarted = true;
    await condition(() => false);
    return 'unreachable';
  });
  await condition(() => handlerStarted);
  return 'returned with the update still running';
}

/** Never finishes on its own, nor does its update handler. */
async function waitsForever(): Promise<void> {
  setHandler(block, async () => {
    await condition(() => false);
    return 'unreachable';
  });
  await condition(() => false);
}

const workflows = { returnsWhileUpdateRuns, waitsForever };
const envs: TestWorkflowEnvironment[] = [];

async function setup() {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    workers: [{ taskQueue: 'repro', workflows }],
  });
  envs.push(env);
  return env;
}

afterEach(async () => {
  await Promise.all(envs.splice(0).map((env) => env.teardown()));
});

/** What `work` settled to within one second of real time, or that it had not settled by then. */
async function settledWithinASecond(work: Promise<unknown>): Promise<unknown> {
  const outcome = work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const timeout = new Promise((resolve) => setTimeout(() => resolve('still waiting after 1 s'), 1_000));
  return Promise.race([outcome, timeout]);
}

it('fails an accepted update whose workflow completes before the handler finishes', async () => {
  const env = await setup();
  const handle = await env.client.workflow.start(returnsWhileUpdateRuns, {
    taskQueue: 'repro',
    workflowId: 'a',
  });
  const update = handle.executeUpdate(block);
  const outcome = await settledWithinASecond(update);
  // The run did complete, with the update accepted and never completed:
  expect((await handle.describe()).status).toBe('Completed');
  const types = (await handle.fetchHistory()).events.map((event) => event.type);
  expect(types).toContain('WorkflowExecutionUpdateAccepted');
  expect(types).not.toContain('WorkflowExecutionUpdateCompleted');
  expect(outcome).toMatchObject({ error: expect.any(WorkflowUpdateFailedError) });
  const cause = (outcome as { error: WorkflowUpdateFailedError }).error.cause as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause.type).toBe('AcceptedUpdateCompletedWorkflow');
});

it('fails an accepted update whose workflow is terminated before the handler finishes', async () => {
  const env = await setup();
  const handle = await env.client.workflow.start(waitsForever, { taskQueue: 'repro', workflowId: 'b' });
  const update = handle.executeUpdate(block);
  update.catch(() => {});
  let accepted = false;
  for (const deadline = Date.now() + 1_000; !accepted && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const { events } = await handle.fetchHistory();
    accepted = events.some((event) => event.type === 'WorkflowExecutionUpdateAccepted');
  }
  expect(accepted, 'the update was accepted').toBe(true);
  await handle.terminate('the update is left running');
  const outcome = await settledWithinASecond(update);
  expect((await handle.describe()).status).toBe('Terminated');
  expect(outcome).toMatchObject({ error: expect.any(WorkflowUpdateFailedError) });
  const cause = (outcome as { error: WorkflowUpdateFailedError }).error.cause as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause.type).toBe('AcceptedUpdateCompletedWorkflow');
});

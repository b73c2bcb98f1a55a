// No silent stalls, in the time-skipping environment: a run whose workflow task keeps failing
// says why, does not make the clock run away, and keeps exactly one retry chain.
import { WorkflowFailedError, WorkflowTaskFailedError } from 'cairnflow/client';
import { ActivityFailure, ApplicationFailure } from 'cairnflow/common';
import type { TestWorkflowEnvironment } from 'cairnflow/testing';
import { describe, expect, it } from 'vitest';
import type { DispatchItem } from '../../sdk/backend/ports.ts';
import { isWorkflowTaskRetry } from '../../sdk/testing/task-runner.ts';
import { testEnv } from '../support/env.ts';
import * as workflows from './workflows/stalls.ts';
import { stallActivities } from './workflows/stalls-activities.ts';

const taskQueue = 'stalls';

function setup() {
  return testEnv({ workers: [{ taskQueue, workflows, activities: stallActivities }] });
}

/** Waits (bounded, in real time) until `holds()`; each round lets the engine's runner move. */
async function until(env: TestWorkflowEnvironment, holds: () => boolean) {
  const deadline = Date.now() + 5000;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error('Condition not met within 5 s');
    await env.engine.runner.nextChange(50);
  }
}

/** Waits (bounded, in real time) until the run's workflow task has failed at least once. */
async function firstTaskFailure(env: TestWorkflowEnvironment, workflowId: string) {
  const handle = env.client.workflow.getHandle(workflowId);
  const deadline = Date.now() + 5000;
  for (;;) {
    const failure = (await handle.describe()).workflowTaskFailure;
    if (failure) return failure;
    if (Date.now() > deadline) throw new Error(`${workflowId}: no workflow-task failure within 5 s`);
    await env.engine.runner.nextChange(50);
  }
}

describe('a failing workflow task in the time-skipping environment', () => {
  it('rejects result() with the task’s cause when workflow code calls fetch, and the clock stays put', async () => {
    const env = await setup();
    const start = await env.currentTimeMs();
    const error = await env.client.workflow
      .execute(workflows.usesFetch, { taskQueue, workflowId: 'fetches' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowTaskFailedError);
    const failed = error as WorkflowTaskFailedError;
    expect(failed.workflowTaskCause).toBe('WorkflowError');
    expect(failed.workflowId).toBe('fetches');
    expect(failed.cause).toBeInstanceOf(ApplicationFailure);
    expect(failed.cause.message).toMatch(/fetch is not available in workflow code/);
    expect((failed.cause as ApplicationFailure).type).toBe('IllegalWorkflowOperationError');
    // Before: the retries skipped time (months in seconds) and the result never settled.
    expect((await env.currentTimeMs()) - start).toBe(0);
    expect(env.engine.runner.tasksRun).toBeLessThan(10);
  });

  it('rejects with UnknownWorkflowType for a type the worker does not register', async () => {
    const env = await setup();
    const error = (await env.client.workflow
      .execute('noSuchWorkflow', { taskQueue, workflowId: 'misspelled' })
      .catch((e: unknown) => e)) as WorkflowTaskFailedError;
    expect(error).toBeInstanceOf(WorkflowTaskFailedError);
    expect(error.workflowTaskCause).toBe('UnknownWorkflowType');
    expect(error.message).toMatch(
      /Workflow type 'noSuchWorkflow' is not registered on task queue 'stalls' \(registered: .*usesFetch/,
    );
  });

  it('rejects with NonDeterminism while changed code cannot replay the run, and returns the result once the code is fixed', async () => {
    const env = await setup();
    const handle = await env.client.workflow.start(workflows.sleepThenEcho, {
      taskQueue,
      workflowId: 'changed-code',
      args: ['x'],
    });
    await env.sleep('1 minute');
    const worker = env.engine.workers.get(taskQueue)!;
    // A bad deploy under a sleeping run: the new code schedules an activity where history has a timer.
    worker.workflows.set('sleepThenEcho', workflows.echoOnce as never);
    worker.cache.delete(`default/${(await handle.describe()).runId}`);
    const error = (await handle.result().catch((e: unknown) => e)) as WorkflowTaskFailedError;
    expect(error).toBeInstanceOf(WorkflowTaskFailedError);
    expect(error.workflowTaskCause).toBe('NonDeterminism');
    expect(error.cause.message).toMatch(/Determinism violation at event \d+/);
    worker.workflows.set('sleepThenEcho', workflows.sleepThenEcho);
    expect(await handle.result()).toBe('x-echoed');
  });

  it('keeps exactly one pending retry however many queries reach the stuck run', async () => {
    const env = await setup();
    const handle = await env.client.workflow.start(workflows.usesFetch, { taskQueue, workflowId: 'stuck' });
    await firstTaskFailure(env, 'stuck');
    const queues = env.engine.queues;
    const pendingRetries = () => queues.count(isWorkflowTaskRetry);
    expect(pendingRetries()).toBe(1);
    let retriesDispatched = 0;
    const push = queues.push.bind(queues);
    queues.push = (items: DispatchItem[]) => {
      retriesDispatched += items.filter((item) => isWorkflowTaskRetry(item.task)).length;
      push(items);
    };
    let answered = 0;
    for (let i = 0; i < 100; i++) {
      // Each query runs the pending workflow task first, which fails again.
      await handle.query(workflows.progress).then(
        () => answered++,
        () => undefined,
      );
    }
    expect(retriesDispatched).toBe(0);
    expect(pendingRetries()).toBe(1);
    // Time moving on runs the one chain: each retry fails and schedules the next, never two.
    await env.sleep('1 hour');
    await until(env, () => pendingRetries() === 1 && env.engine.queues.count(() => true) === 1);
    expect(pendingRetries()).toBe(1);
    // One retry per backoff step (1 s doubling, capped at 10 minutes) within the hour, no more.
    let steps = 0;
    for (let attempt = 2, due = 1000; due <= 3_600_000; attempt++, steps++)
      due += Math.min(1000 * 2 ** (attempt - 1), 600_000);
    expect(retriesDispatched).toBe(steps);
    const failure = (await handle.describe()).workflowTaskFailure!;
    expect(failure.attempt).toBe(retriesDispatched + 1);
    expect(failure.retryAt).toBeGreaterThan(await env.currentTimeMs());
    expect(answered).toBeLessThanOrEqual(100);
    await handle.terminate('test over');
  });
});

describe('describe of a closed run', () => {
  it('includes how a failed run failed, with its cause chain', async () => {
    const env = await setup();
    const error = await env.client.workflow
      .execute(workflows.failsInActivity, { taskQueue, workflowId: 'fails' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(ActivityFailure);
    const description = await env.client.workflow.getHandle('fails').describe();
    expect(description.status).toBe('Failed');
    expect(description.failure).toMatchObject({
      kind: 'activity',
      activityType: 'readSsn',
      cause: { kind: 'application', type: 'TypeError', message: expect.stringMatching(/reading 'ssn'/) },
    });
  });

  it('has no failure for a completed run', async () => {
    const env = await setup();
    await env.client.workflow.execute(workflows.echoOnce, { taskQueue, workflowId: 'ok', args: ['a'] });
    expect((await env.client.workflow.getHandle('ok').describe()).failure).toBeUndefined();
  });
});

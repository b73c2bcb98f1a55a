// Local activities, as in Temporal: proxyLocalActivities runs them in the workflow task's worker,
// records each outcome as a marker, retries in place within localRetryThreshold and through a
// durable timer beyond it; replay reads the markers and never runs them again.
import { replayHistory, TestWorkflowEnvironment } from 'cairnflow/testing';
import { DefaultLogger, Runtime, Worker } from 'cairnflow/worker';
import * as wf from 'cairnflow/workflow';
import { DeterminismViolationError } from 'cairnflow/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from './local-activities.ts';
import { runs } from './local-activities.ts';
import * as workflows from './local-activity-workflows.ts';

Runtime.install({ logger: new DefaultLogger('ERROR') });

let testEnv: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
  worker = await Worker.create({
    connection: testEnv.nativeConnection,
    taskQueue: 'local-activities',
    workflows,
    activities,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  // Replaying every history runs no local activity again.
  const before = { ...runs };
  expect(await testEnv.verifyHistories()).toEqual([]);
  expect(runs).toEqual(before);
  await testEnv?.teardown();
});

const options = (workflowId: string) => ({ taskQueue: 'local-activities', workflowId });
const historyOf = async (workflowId: string) =>
  (await testEnv.client.workflow.getHandle(workflowId).fetchHistory()).events;

describe('proxyLocalActivities', () => {
  it('runs local activities inside the workflow task, each recorded as a marker and run once', async () => {
    const handle = await testEnv.client.workflow.start(workflows.countLocally, {
      ...options('local-count'),
      args: ['count', 3],
    });
    // Waiting for the signal: three calls, one workflow task, no activity task events.
    let events = await historyOf('local-count');
    for (let i = 0; i < 20 && events.filter((e) => e.type === 'MarkerRecorded').length < 3; i++) {
      await testEnv.sleep(1);
      events = await historyOf('local-count');
    }
    expect(events.map((e) => e.type)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'MarkerRecorded',
      'MarkerRecorded',
      'MarkerRecorded',
    ]);
    await handle.signal(workflows.proceed);
    expect(await handle.result()).toBe(4);
    expect(runs['addOne:count']).toBe(4);
  });

  it('retries in place while the next retry is within localRetryThreshold', async () => {
    expect(
      await testEnv.client.workflow.execute(workflows.retryLocally, {
        ...options('local-retry'),
        args: ['retry'],
      }),
    ).toBe(3);
    expect(runs['flaky:retry']).toBe(3);
    const types = (await historyOf('local-retry')).map((e) => e.type);
    expect(types.filter((t) => t === 'MarkerRecorded')).toHaveLength(1);
    expect(types).not.toContain('TimerStarted');
  });

  it('waits on a durable timer for a retry beyond localRetryThreshold', async () => {
    expect(
      await testEnv.client.workflow.execute(workflows.retryThroughTimers, {
        ...options('local-timer-retry'),
        args: ['timer'],
      }),
    ).toBe(3);
    expect(runs['flaky:timer']).toBe(3);
    const events = await historyOf('local-timer-retry');
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'TimerFired')).toHaveLength(2);
    expect(types.filter((t) => t === 'MarkerRecorded')).toHaveLength(3);
    const timers = events.filter((e) => e.type === 'TimerStarted') as { durationMs: number }[];
    expect(timers.map((t) => t.durationMs)).toEqual([30_000, 60_000]);
  });

  it('fails the call with ActivityFailure on a non-retryable failure or a start-to-close timeout', async () => {
    expect(
      await testEnv.client.workflow.execute(workflows.failLocally, {
        ...options('local-fail'),
        args: ['fail'],
      }),
    ).toEqual(['ApplicationFailure: not today', 'TimeoutFailure: StartToClose timeout']);
    expect(runs['refuse:fail']).toBe(1);
    expect(runs['dawdle:fail']).toBe(1);
  });

  it('tells the activity it is local, with no task token', async () => {
    expect(await testEnv.client.workflow.execute(workflows.localInfo, options('local-info'))).toEqual({
      isLocal: true,
      activityType: 'describeSelf',
      taskToken: '',
    });
  });

  it('runs beside ordinary activities awaited together', async () => {
    expect(
      await testEnv.client.workflow.execute(workflows.mixLocalAndRemote, {
        ...options('local-mix'),
        args: ['mix'],
      }),
    ).toEqual([2, 11]);
    const types = (await historyOf('local-mix')).map((e) => e.type);
    expect(types).toContain('MarkerRecorded');
    expect(types).toContain('ActivityTaskScheduled');
  });

  it('fails replay with a DeterminismViolationError when the code no longer calls the local activity', async () => {
    const events = await historyOf('local-retry');
    const changed = {
      retryLocally: async () => {
        await wf.sleep('1 second');
        return 3;
      },
    };
    await expect(replayHistory({ workflows: changed }, events)).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
    const added = {
      retryLocally: async (key: string) => {
        const extra = wf.proxyLocalActivities<typeof activities>({ startToCloseTimeout: '1s' });
        await extra.addOne(key, 0);
        return workflows.retryLocally(key);
      },
    };
    await expect(replayHistory({ workflows: added }, events)).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
  });

  it('refuses options a local activity cannot honour, and missing timeouts', () => {
    expect(() => wf.proxyLocalActivities({ startToCloseTimeout: '1s', taskQueue: 'other' } as never)).toThrow(
      /Unknown local activity option 'taskQueue'.*runs in the workflow task's own worker/,
    );
    expect(() =>
      wf.proxyLocalActivities({ startToCloseTimeout: '1s', heartbeatTimeout: '1s' } as never),
    ).toThrow(/heartbeatTimeout/);
    expect(() => wf.proxyLocalActivities({})).toThrow(/startToCloseTimeout or scheduleToCloseTimeout/);
    expect(() => wf.proxyLocalActivities({ startToCloseTimeout: '1s', localRetryThreshold: -5 })).toThrow(
      /localRetryThreshold/,
    );
  });
});

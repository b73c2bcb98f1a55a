// Time in the time-skipping environment, as Temporal's test server keeps it: an activity that waits
// on the environment (env.sleep, or another run's result) lets the clock skip like a waiting test.
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { DefaultLogger, Runtime, Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityAwaitsAnotherRun, activityWaitsOnEnv, sleeper } from './time-workflows.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
});

afterAll(async () => {
  expect(await testEnv.verifyHistories()).toEqual([]);
  await testEnv?.teardown();
});

const activities = {
  async waitAnHour(): Promise<number> {
    const before = await testEnv.currentTimeMs();
    await testEnv.sleep('1 hour');
    return (await testEnv.currentTimeMs()) - before;
  },
  async awaitSleeper(): Promise<string> {
    return testEnv.client.workflow.execute(sleeper, { taskQueue: 'time', workflowId: 'sleeper-1' });
  },
};

describe('time skipping', () => {
  it('returns from env.sleep called inside a running activity', async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'time',
      workflows: { activityWaitsOnEnv },
      activities,
    });
    const skipped = await worker.runUntil(
      testEnv.client.workflow.execute(activityWaitsOnEnv, { taskQueue: 'time', workflowId: 'env-sleep-1' }),
    );
    expect(skipped).toBe(3_600_000);
  });

  it("skips time while an activity awaits another run's result through the environment", async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'time',
      workflows: { activityAwaitsAnotherRun, sleeper },
      activities,
    });
    const start = await testEnv.currentTimeMs();
    const handle = await testEnv.client.workflow.start(activityAwaitsAnotherRun, {
      taskQueue: 'time',
      workflowId: 'awaits-1',
    });
    const finished = await worker.runUntil(handle.result());
    expect(finished).toBe('woke');
    expect((await testEnv.currentTimeMs()) - start).toBeGreaterThanOrEqual(86_400_000);
  });
});

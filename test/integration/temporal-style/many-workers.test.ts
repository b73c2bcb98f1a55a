// Several workers on one task queue, as Temporal tests start them: a workflow worker beside an
// activity worker, or two alike sharing the tasks.
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { DefaultLogger, Runtime, Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookUpAll } from './fan-out-workflows.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
});

afterAll(async () => {
  expect(await testEnv.verifyHistories()).toEqual([]);
  await testEnv?.teardown();
});

function activitiesOf(name: string, ranOn: string[]) {
  return {
    async lookUp(key: string): Promise<string> {
      ranOn.push(name);
      return `${key}=${key.length}`;
    },
  };
}

describe('several workers on one task queue', () => {
  it('runs workflows on a workflow-only worker and activities on an activity-only worker', async () => {
    const ranOn: string[] = [];
    const { nativeConnection } = testEnv;
    const workflowWorker = await Worker.create({
      connection: nativeConnection,
      taskQueue: 'split',
      workflows: { lookUpAll },
    });
    const activityWorker = await Worker.create({
      connection: nativeConnection,
      taskQueue: 'split',
      activities: activitiesOf('activity worker', ranOn),
    });
    const result = await workflowWorker.runUntil(
      activityWorker.runUntil(
        testEnv.client.workflow.execute(lookUpAll, {
          taskQueue: 'split',
          workflowId: 'split-1',
          args: [['a', 'bb']],
        }),
      ),
    );
    expect(result).toEqual(['a=1', 'bb=2']);
    expect(ranOn).toEqual(['activity worker', 'activity worker']);
  });

  it('shares the tasks of one queue between two alike workers', async () => {
    const ranOn: string[] = [];
    const workers = await Promise.all(
      ['first', 'second'].map((name) =>
        Worker.create({
          connection: testEnv.nativeConnection,
          taskQueue: 'shared',
          workflows: { lookUpAll },
          activities: activitiesOf(name, ranOn),
        }),
      ),
    );
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const result = await workers[0]!.runUntil(
      workers[1]!.runUntil(
        testEnv.client.workflow.execute(lookUpAll, {
          taskQueue: 'shared',
          workflowId: 'shared-1',
          args: [keys],
        }),
      ),
    );
    expect(result).toHaveLength(6);
    expect(new Set(ranOn)).toEqual(new Set(['first', 'second']));
  });
});

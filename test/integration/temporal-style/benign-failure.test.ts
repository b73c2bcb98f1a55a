// ApplicationFailureCategory.BENIGN, as in Temporal: a benign activity failure is logged at debug
// level, an ordinary one as a warning; the category travels with the failure to the workflow.
import { ApplicationFailure, ApplicationFailureCategory } from 'cairnflow/common';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { DefaultLogger, type LogEntry, Runtime, Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from './benign-activities.ts';
import { pollThenBreak } from './benign-workflows.ts';

const entries: LogEntry[] = [];
Runtime.install({ logger: new DefaultLogger('DEBUG', (entry) => entries.push(entry)) });

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
});

afterAll(async () => {
  expect(await testEnv.verifyHistories()).toEqual([]);
  await testEnv?.teardown();
});

describe('ApplicationFailureCategory.BENIGN', () => {
  it('logs a benign activity failure at debug level and an ordinary one as a warning', async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'benign',
      workflows: { pollThenBreak },
      activities,
    });
    const result = await worker.runUntil(
      testEnv.client.workflow.execute(pollThenBreak, { taskQueue: 'benign', workflowId: 'benign-1' }),
    );
    expect(result).toBe('ready repaired BENIGN');
    const failed = entries.filter((e) => e.message === 'activity failed');
    const levelOf = (type: string) => failed.filter((e) => e.meta?.type === type).map((e) => e.level);
    expect(levelOf('NotReady')).toEqual(['DEBUG', 'DEBUG', 'DEBUG']);
    expect(levelOf('Error')).toEqual(['WARN']);
  });

  it('keeps the category through serialization and refuses unknown ones', () => {
    const failure = ApplicationFailure.create({ message: 'm', category: ApplicationFailureCategory.BENIGN });
    expect(failure.category).toBe('BENIGN');
    expect(ApplicationFailure.create({ message: 'm' }).category).toBeUndefined();
    expect(() => ApplicationFailure.create({ message: 'm', category: 'LOUD' as never })).toThrow(
      /Unknown ApplicationFailure category 'LOUD'/,
    );
  });
});

// Temporal-style tests on the local stack: createLocal() with no workers, then Worker.create on its
// nativeConnection and worker.runUntil(...). Each worker becomes a function of the running stack.
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { DefaultLogger, type LogEntry, Runtime, Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from '../temporal-style/activities.ts';
import * as benignActivities from '../temporal-style/benign-activities.ts';
import { pollThenBreak } from '../temporal-style/benign-workflows.ts';
import { done, door, quoteWithDeadline, transition } from '../temporal-style/workflows.ts';

const entries: LogEntry[] = [];
Runtime.install({ logger: new DefaultLogger('WARN', (entry) => entries.push(entry)) });

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createLocal();
}, 60_000);

afterAll(async () => {
  expect(await testEnv?.verifyHistories()).toEqual([]);
  await testEnv?.teardown();
});

const workflowsPath = fileURLToPath(new URL('../temporal-style/workflows.ts', import.meta.url));

describe('createLocal() with workers added later', () => {
  it('hosts a Worker created on the nativeConnection of a running stack', async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'doors-local',
      workflowsPath,
      activities,
    });
    const trail = await worker.runUntil(async () => {
      const handle = await testEnv.client.workflow.start(door, {
        taskQueue: 'doors-local',
        workflowId: 'door-local-1',
      });
      expect(await handle.executeUpdate(transition, { args: ['open'] })).toBe('open');
      await handle.signal(done);
      return handle.result();
    });
    expect(trail).toEqual(['closed', 'open']);
  });

  it('keeps a stopped worker’s task queue: a run started meanwhile waits for the next worker', async () => {
    const handle = await testEnv.client.workflow.start(quoteWithDeadline, {
      taskQueue: 'doors-local',
      workflowId: 'quote-local-1',
      args: ['ACME', false],
    });
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'doors-local',
      workflows: { quoteWithDeadline },
      activities,
    });
    expect(await worker.runUntil(handle.result())).toBe('quote 40');
  });

  it("sends the stack's handler logs to the installed logger, benign activity failures below its level", async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'benign-local',
      workflows: { pollThenBreak },
      activities: benignActivities,
    });
    // Started before the worker runs (the argument is evaluated first), as Temporal tests do: the
    // task queue takes work from Worker.create on.
    const result = await worker.runUntil(
      testEnv.client.workflow.execute(pollThenBreak, {
        taskQueue: 'benign-local',
        workflowId: 'benign-local-1',
      }),
    );
    expect(result).toBe('ready repaired BENIGN');
    const failed = entries.filter((e) => e.message === 'activity failed');
    expect(failed.map((e) => [e.level, e.meta?.type])).toEqual([['WARN', 'Error']]);
  });

  it('refuses a second running worker for a task queue, saying why', async () => {
    const first = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'quotes-local',
      workflows: { quoteWithDeadline },
      activities,
    });
    const second = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'quotes-local',
      workflows: { quoteWithDeadline },
      activities,
    });
    await first.runUntil(async () => {
      await expect(second.runUntil(async () => 'never')).rejects.toThrow(
        /already has a running worker on this local stack.*one worker function/,
      );
      const result = await testEnv.client.workflow.execute(quoteWithDeadline, {
        taskQueue: 'quotes-local',
        workflowId: 'quote-local-2',
        args: ['AB', false],
      });
      expect(result).toBe('quote 20');
    });
  });
});

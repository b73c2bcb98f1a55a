// bundleWorkflowCode and Worker.create({ workflowBundle }), as Temporal's tests use them.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, TestWorkflowEnvironment, Worker } from 'cairnflow/testing';
import { bundleWorkflowCode as bundleOfWorkerPackage, DefaultLogger, Runtime } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from './activities.ts';
import { done, door, transition } from './workflows.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
});

afterAll(async () => {
  await testEnv?.teardown();
});

const pathOf = (file: string) => fileURLToPath(new URL(file, import.meta.url));

describe('bundleWorkflowCode', () => {
  it('bundles a workflow module, and a Worker runs the workflows of the bundle', async () => {
    expect(bundleOfWorkerPackage).toBe(bundleWorkflowCode);
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: pathOf('./workflows.ts') });
    expect(workflowBundle.code).toContain('quoteWithDeadline');
    expect(workflowBundle.code).not.toContain('chargeSubscription(customerId, period) {');
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'bundled',
      workflowBundle,
      activities,
    });
    const trail = await worker.runUntil(async () => {
      const handle = await testEnv.client.workflow.start(door, {
        taskQueue: 'bundled',
        workflowId: 'bundled-1',
      });
      await handle.executeUpdate(transition, { args: ['lock'] });
      await handle.signal(done);
      return handle.result();
    });
    expect(trail).toEqual(['closed', 'locked']);
  });

  it('refuses workflow code that imports Node built-ins, naming them', async () => {
    await expect(bundleWorkflowCode({ workflowsPath: pathOf('./io-workflows.ts') })).rejects.toThrow(
      /imports node:fs, which workflow code must not use: move the I\/O into an activity/,
    );
    await expect(
      bundleWorkflowCode({ workflowsPath: pathOf('./io-workflows.ts'), ignoreModules: ['fs'] }),
    ).resolves.toHaveProperty('code');
  });

  it('refuses what it cannot honour instead of ignoring it', async () => {
    await expect(
      bundleWorkflowCode({
        workflowsPath: pathOf('./workflows.ts'),
        webpackConfigHook: (c: unknown) => c,
      } as never),
    ).rejects.toThrow(/'webpackConfigHook' is not supported/);
    await expect(
      Worker.create({
        connection: testEnv.nativeConnection,
        taskQueue: 'bundled-2',
        workflowBundle: { code: 'export {}' } as never,
      }),
    ).rejects.toThrow(/not made by cairnflow's bundleWorkflowCode/);
    await expect(
      Worker.create({
        connection: testEnv.nativeConnection,
        taskQueue: 'bundled-4',
        workflows: { door },
        maxConcurrentActivityTaskExecutions: 10,
      } as never),
    ).rejects.toThrow(/'maxConcurrentActivityTaskExecutions' is not supported: concurrency and polling/);
    await expect(
      Worker.create({
        connection: testEnv.nativeConnection,
        taskQueue: 'bundled-3',
        workflowBundle: await bundleWorkflowCode({ workflowsPath: pathOf('./workflows.ts') }),
        workflows: { door },
      }),
    ).rejects.toThrow(/one of workflows, workflowsPath or workflowBundle/);
  });
});

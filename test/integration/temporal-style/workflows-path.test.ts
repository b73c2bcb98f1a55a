// Wherever a worker takes `workflows` (a module object) it also takes `workflowsPath`, as Temporal's
// worker does; only the Lambda handler, whose bundle must contain the code, refuses it clearly.
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { createWorker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from './activities.ts';
import { quoteWithDeadline } from './workflows.ts';

const workflowsPath = fileURLToPath(new URL('./workflows.ts', import.meta.url));
let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping({
    workers: [{ taskQueue: 'by-path', workflowsPath, activities }],
  });
});

afterAll(async () => {
  await testEnv?.teardown();
});

describe('workflowsPath', () => {
  it("runs the workflows of the module at a test environment worker's workflowsPath", async () => {
    const quote = await testEnv.client.workflow.execute(quoteWithDeadline, {
      taskQueue: 'by-path',
      workflowId: 'by-path-1',
      args: ['ACME', false],
    });
    expect(quote).toBe('quote 40');
  });

  it('refuses workflows and workflowsPath together', async () => {
    await expect(
      TestWorkflowEnvironment.createTimeSkipping({
        workers: [{ taskQueue: 'both', workflows: { quoteWithDeadline }, workflowsPath, activities }],
      }),
    ).rejects.toThrow('Pass one of workflows, workflowsPath or workflowBundle, not several');
  });

  it('refuses workflowsPath in createWorker, saying what to pass instead', () => {
    expect(() =>
      createWorker({ taskQueue: 'lambda', activities, ...({ workflowsPath } as object) } as Parameters<
        typeof createWorker
      >[0]),
    ).toThrow(
      "createWorker takes workflows as a module object, not workflowsPath: import * as workflows from './workflows'",
    );
  });
});

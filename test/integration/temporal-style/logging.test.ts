// Runtime.install at the top, as in Temporal's sample tests: the installed logger receives the
// activity's and the workflow's logs and the engine's warnings, at or above its level.
import { WorkflowTaskFailedError } from 'cairnflow/client';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { DefaultLogger, type LogEntry, Runtime, Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from './logging-activities.ts';
import { brokenWorkflow, loggingWorkflow } from './logging-workflows.ts';

const entries: LogEntry[] = [];
Runtime.install({ logger: new DefaultLogger('WARN', (entry) => entries.push(entry)) });

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
});

afterAll(async () => {
  await testEnv?.teardown();
});

const messages = (level: string) => entries.filter((e) => e.level === level).map((e) => e.message);

describe('Runtime.install({ logger })', () => {
  it('sends workflow and activity logs at or above the logger level to the installed logger', async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'logging',
      workflows: { loggingWorkflow },
      activities,
    });
    const result = await worker.runUntil(
      testEnv.client.workflow.execute(loggingWorkflow, {
        taskQueue: 'logging',
        workflowId: 'log-1',
        args: ['ada'],
      }),
    );
    expect(result).toBe('hello ada');
    expect(messages('WARN')).toEqual(expect.arrayContaining(['workflow warn', 'activity warn']));
    expect(entries.map((e) => e.message)).not.toContain('workflow info');
    expect(entries.map((e) => e.message)).not.toContain('activity info');
    expect(entries.map((e) => e.message)).not.toContain('workflow debug');
    const workflowWarn = entries.find((e) => e.message === 'workflow warn')!;
    expect(workflowWarn.meta).toMatchObject({ workflowId: 'log-1' });
    expect(typeof workflowWarn.timestampNanos).toBe('bigint');
  });

  it("sends the engine's warnings to the installed logger", async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'logging-broken',
      workflows: { brokenWorkflow },
    });
    await worker.runUntil(async () => {
      const handle = await testEnv.client.workflow.start(brokenWorkflow, {
        taskQueue: 'logging-broken',
        workflowId: 'log-broken',
      });
      await expect(handle.result()).rejects.toThrow(WorkflowTaskFailedError);
    });
    const failed = entries.find((e) => e.message === 'workflow task failed');
    expect(failed?.level).toBe('WARN');
    expect(failed?.meta).toMatchObject({ workflowId: 'log-broken' });
  });

  it('refuses a second install and options Cairn cannot honour', () => {
    expect(() => Runtime.install({})).toThrow(/called twice/);
    expect(() => Runtime.install({ telemetryOptions: { metrics: {} } } as never)).toThrow(
      /telemetryOptions.metrics is not supported/,
    );
    expect(() => Runtime.install({ shutdownSignals: ['SIGINT'] } as never)).toThrow(/'shutdownSignals'/);
    expect(Runtime.instance().logger).toBeInstanceOf(DefaultLogger);
    expect(() => new DefaultLogger('LOUD' as 'INFO')).toThrow(/Unknown log level/);
  });
});

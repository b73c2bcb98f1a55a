// activityInfo() carries Temporal's names: workflowExecution, workflowType, the namespaces,
// isLocal, the timeouts and the attempt's schedule times.
import { InvalidArgumentError } from 'cairnflow/client';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { DefaultLogger, Runtime, Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from './activity-info-activities.ts';
import { askWhoCalled, twoOutside } from './activity-info-workflows.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createTimeSkipping();
});

afterAll(async () => {
  await testEnv?.teardown();
});

describe('activityInfo()', () => {
  it("gives the activity Temporal's info fields, on the first attempt and on a retry", async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'info',
      workflows: { askWhoCalled },
      activities,
    });
    const start = await testEnv.currentTimeMs();
    const handle = await testEnv.client.workflow.start(askWhoCalled, {
      taskQueue: 'info',
      workflowId: 'info-1',
    });
    const result = await worker.runUntil(handle.result());
    expect(result).toBe('askWhoCalled info-1 true');
    const [first, second] = activities.seen;
    expect(first).toMatchObject({
      activityType: 'whoCalledMe',
      attempt: 1,
      workflowExecution: { workflowId: 'info-1', runId: handle.firstExecutionRunId },
      workflowType: 'askWhoCalled',
      workflowNamespace: 'default',
      activityNamespace: 'default',
      taskQueue: 'info',
      isLocal: false,
      startToCloseTimeoutMs: 60_000,
      scheduleToCloseTimeoutMs: 600_000,
      heartbeatTimeoutMs: 30_000,
    });
    // Temporal's shape: the token as bytes; base64TaskToken the same token as text.
    expect(first!.taskToken).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(first!.taskToken).toString('base64url')).toBe(first!.base64TaskToken);
    expect(first!.scheduledTimestampMs).toBe(start);
    expect(first!.currentAttemptScheduledTimestampMs).toBe(start);
    // The retry was due 5 s after the first attempt failed; its schedule time stays the first one.
    expect(second!.attempt).toBe(2);
    expect(second!.scheduledTimestampMs).toBe(start);
    expect(second!.currentAttemptScheduledTimestampMs).toBe(start + 5000);
  });

  it('completes an activity by its token as bytes (taskToken) or as text (base64TaskToken)', async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'info',
      workflows: { twoOutside },
      activities,
    });
    const result = await worker.runUntil(async () => {
      const handle = await testEnv.client.workflow.start(twoOutside, {
        taskQueue: 'info',
        workflowId: 'info-2',
      });
      const arrived = async (n: number) => {
        for (let i = 0; i < 100 && activities.outside.length < n; i++) await testEnv.sleep(10);
        return activities.outside[n - 1]!;
      };
      const first = await arrived(1);
      expect(await testEnv.client.activity.heartbeat(first.taskToken, 'half')).toEqual({
        cancelRequested: false,
      });
      await testEnv.client.activity.complete(first.taskToken, 'by bytes');
      const second = await arrived(2);
      await expect(testEnv.client.activity.complete(42 as never, 'x')).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await testEnv.client.activity.complete(second.base64TaskToken, 'by text');
      return handle.result();
    });
    expect(result).toEqual(['by bytes', 'by text']);
  });
});

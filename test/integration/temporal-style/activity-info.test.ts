// activityInfo() carries Temporal's names: workflowExecution, workflowType, the namespaces,
// isLocal, the timeouts and the attempt's schedule times.
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { DefaultLogger, Runtime, Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from './activity-info-activities.ts';
import { askWhoCalled } from './activity-info-workflows.ts';

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
    expect(first!.base64TaskToken).toBe(first!.taskToken);
    expect(first!.scheduledTimestampMs).toBe(start);
    expect(first!.currentAttemptScheduledTimestampMs).toBe(start);
    // The retry was due 5 s after the first attempt failed; its schedule time stays the first one.
    expect(second!.attempt).toBe(2);
    expect(second!.scheduledTimestampMs).toBe(start);
    expect(second!.currentAttemptScheduledTimestampMs).toBe(start + 5000);
  });
});

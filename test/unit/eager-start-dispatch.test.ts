// Eager start in the outbox: a start that hands its first workflow task to the worker itself makes
// the router send that task only as a delayed backstop; an ordinary start's task goes at once.
import { describe, expect, it } from 'vitest';
import type { CommittedBatch } from '../../sdk/backend/ports.ts';
import { EAGER_WORKFLOW_TASK_BACKSTOP_MS, planDispatch } from '../../sdk/runtime/route.ts';
import { newRun } from '../../sdk/runtime/start-workflow.ts';

const NOW = Date.UTC(2026, 0, 1);

function startBatch(requestEagerStart: boolean | undefined): CommittedBatch {
  const run = newRun(
    {
      namespace: 'default',
      workflowId: 'eager',
      workflowType: 'greet',
      taskQueue: 'q',
      input: [],
      requestEagerStart,
    },
    'run-1',
    NOW,
  );
  return { namespace: 'default', workflowId: 'eager', runId: 'run-1', taskQueue: 'q', ...run };
}

describe('planDispatch of a start', () => {
  const task = {
    kind: 'workflow',
    ref: { namespace: 'default', workflowId: 'eager', runId: 'run-1' },
    taskQueue: 'q',
    scheduledEventId: 2,
  };

  it('sends an ordinary first workflow task at once', () => {
    expect(planDispatch(startBatch(undefined))).toStrictEqual([{ task, dueTime: undefined }]);
  });

  it("delays an eager start's first workflow task by the backstop: the API ran it", () => {
    expect(startBatch(true).events[1]).toMatchObject({ type: 'WorkflowTaskScheduled', eager: true });
    expect(planDispatch(startBatch(true))).toStrictEqual([
      { task, dueTime: NOW + EAGER_WORKFLOW_TASK_BACKSTOP_MS },
    ]);
  });
});

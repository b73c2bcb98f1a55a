import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { describe, expect, it } from 'vitest';
import { uiBenchActivities } from '../../../bench/ui/activities.ts';
import {
  UI_BENCH_TASK_QUEUE,
  UI_FAN_OUT_ACTIVITIES,
  uiFanOut,
  uiInstant,
} from '../../../bench/ui/workflows.ts';

// The UI benchmark times "a 1,000-event run's page": its long run must have that many events.
describe('the UI benchmark’s workflows', () => {
  it('give a run of at least 1,000 history events, and one that closes in its first task', async () => {
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      workers: [
        {
          taskQueue: UI_BENCH_TASK_QUEUE,
          workflows: { uiInstant, uiFanOut },
          activities: uiBenchActivities,
        },
      ],
    });
    try {
      const long = await env.client.workflow.start(uiFanOut, {
        taskQueue: UI_BENCH_TASK_QUEUE,
        workflowId: 'fan-out',
        args: [UI_FAN_OUT_ACTIVITIES],
      });
      await expect(long.result()).resolves.toBe((UI_FAN_OUT_ACTIVITIES * (UI_FAN_OUT_ACTIVITIES - 1)) / 2);
      const { events } = await long.fetchHistory();
      expect(events.length).toBeGreaterThanOrEqual(1_000);
      expect(events.filter((event) => event.type === 'ActivityTaskCompleted')).toHaveLength(
        UI_FAN_OUT_ACTIVITIES,
      );

      const instant = await env.client.workflow.start(uiInstant, {
        taskQueue: UI_BENCH_TASK_QUEUE,
        workflowId: 'instant',
        args: [7],
      });
      await expect(instant.result()).resolves.toBe(7);
      const types = (await instant.fetchHistory()).events.map((event) => event.type);
      expect(types.filter((type) => type === 'WorkflowTaskCompleted')).toHaveLength(1);
    } finally {
      await env.teardown();
    }
  });
});

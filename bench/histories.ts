import { TestWorkflowEnvironment } from 'cairnflow/testing';
import type { HistoryEvent } from '../sdk/engine/events.ts';
import { BENCH_TASK_QUEUE, benchWorker, sequentialSteps } from './workflows.ts';

/**
 * Records a real history by running `sequentialSteps(activities)` to completion on the in-memory
 * engine: 6 events per activity (scheduled, started, completed, and the workflow task that
 * follows), so 1,700 activities give a little over 10,000 events.
 */
export async function recordSequentialHistory(activities: number): Promise<HistoryEvent[]> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ workers: [benchWorker] });
  try {
    await env.client.workflow.execute(sequentialSteps, {
      taskQueue: BENCH_TASK_QUEUE,
      workflowId: 'bench-history',
      args: [activities],
    });
    const [recorded] = env.allHistories();
    if (!recorded) throw new Error('The bench workflow left no history');
    const worker = env.engine.workers.get(BENCH_TASK_QUEUE)!;
    return await worker.codec.decode(recorded.events);
  } finally {
    await env.teardown();
  }
}

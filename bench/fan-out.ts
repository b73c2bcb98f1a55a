import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { median, nowMs } from './measure.ts';
import type { BenchResult } from './results.ts';
import { BENCH_TASK_QUEUE, benchWorker, fanOut } from './workflows.ts';

const ACTIVITIES = 1_000;
const MAX_RUNS = 3;
const BUDGET_MS = 6_000;

/**
 * A workflow that schedules 1,000 trivial activities in one workflow task and awaits them with
 * `Promise.all`, end to end on the time-skipping environment: from `client.workflow.execute` to
 * its result. Median of up to three runs, after one small warm-up run.
 */
export async function benchFanOut(): Promise<BenchResult[]> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ workers: [benchWorker] });
  try {
    const execute = (workflowId: string, count: number) =>
      env.client.workflow.execute(fanOut, { taskQueue: BENCH_TASK_QUEUE, workflowId, args: [count] });
    await execute('fan-out-warmup', 50);
    const { store, queues, runner } = env.engine;
    const wall: number[] = [];
    const before = { writes: store.writes, sent: queues.sent, tasks: runner.tasksRun };
    const started = nowMs();
    while (wall.length < MAX_RUNS && (wall.length === 0 || nowMs() - started < BUDGET_MS)) {
      const runStarted = nowMs();
      const result = await execute(`fan-out-${wall.length}`, ACTIVITIES);
      wall.push(nowMs() - runStarted);
      if (result !== ACTIVITIES) throw new Error(`Fan-out returned ${result}, not ${ACTIVITIES}`);
    }
    const steps = wall.length * ACTIVITIES;
    return [
      {
        name: 'fan_out.1000_activities.e2e',
        value: median(wall),
        unit: 'ms',
        target: { op: '<=', value: 1_000 },
        note: `Promise.all over 1,000 trivial activities, execute() to result on the time-skipping env; median of ${wall.length} runs (${wall.map((ms) => ms.toFixed(0)).join(', ')} ms)`,
      },
      { name: 'fan_out.1000_activities.e2e_best', value: Math.min(...wall), unit: 'ms' },
      { name: 'fan_out.writes_per_activity', value: (store.writes - before.writes) / steps, unit: 'writes' },
      { name: 'fan_out.messages_per_activity', value: (queues.sent - before.sent) / steps, unit: 'messages' },
      { name: 'fan_out.tasks_per_activity', value: (runner.tasksRun - before.tasks) / steps, unit: 'tasks' },
    ];
  } finally {
    await env.teardown();
  }
}

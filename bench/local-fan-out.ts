import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { median, nowMs } from './measure.ts';
import type { BenchResult } from './results.ts';
import { BENCH_TASK_QUEUE, benchWorker, fanOut } from './workflows.ts';

const ACTIVITIES = 1_000;
const MAX_RUNS = 3;
/** No run starts after this much time in the stage; each run has its own bound too. */
const BUDGET_MS = 150_000;
const RUN_TIMEOUT_MS = 180_000;

/**
 * The same 1,000-activity fan-out as the `fan-out` stage, on the local stack: DynamoDB Local, the
 * SQS emulator and the real Lambda handlers, the worker at its deployed settings. From
 * `client.workflow.execute` to its result; median of up to three runs after a small warm-up.
 */
export async function benchLocalFanOut(): Promise<BenchResult[]> {
  const env = await TestWorkflowEnvironment.createLocal({ workers: [benchWorker], logLevel: 'error' });
  try {
    const execute = async (workflowId: string, count: number) => {
      const run = env.client.workflow.execute(fanOut, {
        taskQueue: BENCH_TASK_QUEUE,
        workflowId,
        args: [count],
      });
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${workflowId} took over ${RUN_TIMEOUT_MS} ms`)),
          RUN_TIMEOUT_MS,
        );
      });
      try {
        return await Promise.race([run, bound]);
      } finally {
        clearTimeout(timer);
      }
    };
    await execute('local-fan-out-warmup', 50);
    const wall: number[] = [];
    const started = nowMs();
    while (wall.length < MAX_RUNS && (wall.length === 0 || nowMs() - started < BUDGET_MS)) {
      const runStarted = nowMs();
      const result = await execute(`local-fan-out-${wall.length}`, ACTIVITIES);
      wall.push(nowMs() - runStarted);
      if (result !== ACTIVITIES) throw new Error(`Fan-out returned ${result}, not ${ACTIVITIES}`);
    }
    return [
      {
        name: 'local.fan_out.1000_activities.e2e',
        value: median(wall),
        unit: 'ms',
        target: { op: '<=', value: 10_000 },
        note: `Promise.all over 1,000 trivial activities on the local stack (one Node process hosts every handler beside DynamoDB Local on this machine), execute() to result; median of ${wall.length} runs (${wall.map((ms) => ms.toFixed(0)).join(', ')} ms)`,
      },
      { name: 'local.fan_out.1000_activities.e2e_best', value: Math.min(...wall), unit: 'ms' },
    ];
  } finally {
    await env.teardown();
  }
}

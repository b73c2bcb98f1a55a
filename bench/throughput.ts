import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { cpuMs, nowMs } from './measure.ts';
import type { BenchResult } from './results.ts';
import { BENCH_TASK_QUEUE, benchWorker, sequentialSteps } from './workflows.ts';

const WORKFLOWS = 32;
const STEPS = 10;
const WARMUP_ROUNDS = 3;
const MIN_ROUNDS = 5;
const MAX_ROUNDS = 100;
const BUDGET_MS = 2_000;

/** How the benchmark waits for a round's results. */
type Waiting = 'one-waiter' | 'all-waiting';

/**
 * Engine throughput on the in-memory backend: rounds of 32 concurrent workflows of 10 sequential
 * trivial activities each, started through the client. An activity step is one activity and the
 * workflow task it wakes. Writes are history-store writes (`store.writes`) and messages task-queue
 * sends (`queues.sent`), per activity step, starts and completions included.
 *
 * The headline figure awaits the 32 results one after another ('one-waiter'): all 32 workflows
 * still run at once, but only one client long-poll is open. The second figure awaits all 32
 * results at once ('all-waiting'), as a test would; it shows what the in-memory harness's
 * long-polling adds (every open result wait re-polls on every engine change), which the cloud
 * engine does not pay per step.
 */
export async function benchThroughput(): Promise<BenchResult[]> {
  const engine = await measureRounds('one-waiter');
  const allWaiting = await measureRounds('all-waiting');
  return [
    {
      name: 'throughput.activity_steps_per_s',
      value: engine.stepsPerSecond,
      unit: 'steps/s',
      target: { op: '>=', value: 5_000 },
      note: `${engine.rounds} rounds of ${WORKFLOWS} concurrent workflows x ${STEPS} sequential activities (${engine.steps} steps in ${engine.wallMs.toFixed(0)} ms, results awaited one at a time); the in-memory engine runs on one Node thread`,
    },
    {
      name: 'throughput.activity_steps_per_cpu_s',
      value: engine.steps / (engine.cpuMs / 1000),
      unit: 'steps/s',
      note: 'steps per second of process CPU time: the rate one core sustains, less sensitive to other load on the machine',
    },
    { name: 'throughput.cpu_per_step', value: (engine.cpuMs / engine.steps) * 1000, unit: 'us' },
    { name: 'throughput.writes_per_step', value: engine.writes, unit: 'writes' },
    { name: 'throughput.messages_per_step', value: engine.messages, unit: 'messages' },
    { name: 'throughput.tasks_per_step', value: engine.tasks, unit: 'tasks' },
    {
      name: 'throughput.all_results_awaited.activity_steps_per_s',
      value: allWaiting.stepsPerSecond,
      unit: 'steps/s',
      note: `same workload with the 32 results awaited at once (Promise.all): ${allWaiting.pollsPerStep.toFixed(1)} harness result polls per step instead of ${engine.pollsPerStep.toFixed(1)}`,
    },
    {
      name: 'throughput.all_results_awaited.cpu_per_step',
      value: (allWaiting.cpuMs / allWaiting.steps) * 1000,
      unit: 'us',
    },
  ];
}

async function measureRounds(waiting: Waiting) {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ workers: [benchWorker] });
  try {
    const { store, queues, runner } = env.engine;
    // Counts the harness's result polls: each open result wait calls nextChange once per engine change.
    let polls = 0;
    const nextChange = runner.nextChange.bind(runner);
    runner.nextChange = (timeoutMs) => {
      polls++;
      return nextChange(timeoutMs);
    };
    const round = async (label: string) => {
      const handles = await Promise.all(
        Array.from({ length: WORKFLOWS }, (_, i) =>
          env.client.workflow.start(sequentialSteps, {
            taskQueue: BENCH_TASK_QUEUE,
            workflowId: `throughput-${waiting}-${label}-${i}`,
            args: [STEPS],
          }),
        ),
      );
      if (waiting === 'all-waiting') await Promise.all(handles.map((handle) => handle.result()));
      else for (const handle of handles) await handle.result();
    };
    for (let i = 0; i < WARMUP_ROUNDS; i++) await round(`warmup-${i}`);
    const before = { writes: store.writes, sent: queues.sent, tasks: runner.tasksRun, cpu: cpuMs(), polls };
    const started = nowMs();
    let rounds = 0;
    while (rounds < MAX_ROUNDS) {
      const elapsed = nowMs() - started;
      if (elapsed >= 2 * BUDGET_MS || (rounds >= MIN_ROUNDS && elapsed >= BUDGET_MS)) break;
      await round(String(rounds++));
    }
    const wallMs = nowMs() - started;
    const steps = rounds * WORKFLOWS * STEPS;
    return {
      rounds,
      steps,
      wallMs,
      stepsPerSecond: steps / (wallMs / 1000),
      cpuMs: cpuMs() - before.cpu,
      writes: (store.writes - before.writes) / steps,
      messages: (queues.sent - before.sent) / steps,
      tasks: (runner.tasksRun - before.tasks) / steps,
      pollsPerStep: (polls - before.polls) / steps,
    };
  } finally {
    await env.teardown();
  }
}

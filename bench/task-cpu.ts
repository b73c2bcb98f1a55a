import type { HistoryEvent } from '../sdk/engine/events.ts';
import { cpuMs, measure, median, nowMs, yieldToEventLoop } from './measure.ts';
import { coldTask, newReplayer, taskPrefix, taskSlices, warmTask } from './replay-tasks.ts';
import type { BenchResult } from './results.ts';

/** History length of the cold task: the "~1,000-event history". */
export const COLD_TASK_EVENTS = 1_000;
const WARM_BUDGET_MS = 2_000;
const WARM_MAX_TASKS = 5_000;

/**
 * Engine CPU per workflow task, cold and warm. Cold: a new replayer replays the ~1,000 events
 * before a pending workflow task, then runs that task's activation. Warm: a cached replayer walks
 * the recorded run task by task, applying only each task's new events (activity started and
 * completed, workflow task scheduled), activating, and committing what history recorded. No store,
 * no codec: the engine alone. CPU is process CPU (user + system) per task; wall is the median.
 */
export async function benchTaskCpu(history: readonly HistoryEvent[]): Promise<BenchResult[]> {
  const prefix = taskPrefix(history, COLD_TASK_EVENTS);
  const commands = await coldTask(history, prefix);
  if (commands.length !== 1 || commands[0]!.type !== 'ScheduleActivityTask') {
    throw new Error(`The cold task issued ${JSON.stringify(commands)}, not one ScheduleActivityTask`);
  }
  const cold = await measure(
    () => prefix,
    (events) => coldTask(history, events),
    { warmupRuns: 5, minRuns: 20, maxRuns: 300, maxMs: 1_500 },
  );
  const warm = await measureWarmTasks(history);
  return [
    {
      name: `task.cold.${COLD_TASK_EVENTS}_events.cpu`,
      value: cold.cpuMeanMs,
      unit: 'ms',
      note: `${prefix.length}-event history replayed by a new Replayer, then activateNew; mean process CPU of ${cold.runs} tasks`,
    },
    { name: `task.cold.${COLD_TASK_EVENTS}_events.wall`, value: cold.wallMedianMs, unit: 'ms' },
    {
      name: 'task.warm.cpu',
      value: warm.cpuMeanMs,
      unit: 'ms',
      target: { op: '<=', value: 1 },
      note: `cached Replayer: replay(3 new events) + activateNew + commit; mean process CPU of ${warm.tasks} tasks over a ${history.length}-event run`,
    },
    { name: 'task.warm.wall', value: warm.wallMedianMs, unit: 'ms' },
    {
      name: 'task.warm.last_tenth_of_run.wall',
      value: warm.lateWallMedianMs,
      unit: 'ms',
      note: 'median warm task over the last tenth of the run (history ~9,000-10,000 events): flat if the warm path does not grow with history',
    },
  ];
}

async function measureWarmTasks(history: readonly HistoryEvent[]) {
  const slices = taskSlices(history);
  // Warm-up walk: the JIT compiles the warm path before anything is timed.
  const warmup = newReplayer(history);
  for (const slice of slices.slice(0, 300)) await warmTask(warmup, slice);

  const wall: number[] = [];
  const lateWall: number[] = [];
  let cpu = 0;
  const started = nowMs();
  const withinBounds = () => wall.length < WARM_MAX_TASKS && nowMs() - started < WARM_BUDGET_MS;
  while (withinBounds()) {
    const replayer = newReplayer(history);
    // The first task starts the run: that one is a (tiny) cold task, not timed.
    await warmTask(replayer, slices[0]!);
    for (let i = 1; i < slices.length && withinBounds(); i++) {
      await yieldToEventLoop();
      const cpuBefore = cpuMs();
      const wallBefore = nowMs();
      await warmTask(replayer, slices[i]!);
      const elapsed = nowMs() - wallBefore;
      cpu += cpuMs() - cpuBefore;
      wall.push(elapsed);
      if (i >= slices.length * 0.9) lateWall.push(elapsed);
    }
  }
  return {
    tasks: wall.length,
    wallMedianMs: median(wall),
    cpuMeanMs: cpu / wall.length,
    lateWallMedianMs: median(lateWall),
  };
}

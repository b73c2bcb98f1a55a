import { defaultStoredConverter } from '../sdk/common/json-payload-converter.ts';
import { isCommandEvent } from '../sdk/engine/command-events.ts';
import type { HistoryEvent } from '../sdk/engine/events.ts';
import { Replayer } from '../sdk/engine/replayer.ts';
import { sequentialSteps } from './workflows.ts';

/**
 * The units of engine work the replay benchmarks time, built on a recorded `sequentialSteps`
 * history. They drive `Replayer` exactly as `sdk/runtime/workflow-task.ts` does, minus the store.
 */

/** A fresh replayer for the recorded run, as a worker builds one on a cache miss. */
export function newReplayer(history: readonly HistoryEvent[]): Replayer {
  const started = history[0];
  if (started?.type !== 'WorkflowExecutionStarted') {
    throw new TypeError('A bench history must begin with WorkflowExecutionStarted');
  }
  return new Replayer(started, {
    namespace: 'default',
    runId: 'bench-run',
    workflowFn: sequentialSteps,
    converter: defaultStoredConverter,
  });
}

/** Replays `events` from scratch (construction included): what a cache miss costs before activation. */
export async function coldReplay(events: readonly HistoryEvent[]): Promise<void> {
  await newReplayer(events).replay(events);
}

/**
 * The longest prefix of `history`, at most `maxEvents` long, that ends with a pending workflow task
 * (its `WorkflowTaskScheduled`): the history a cold workflow task loads.
 */
export function taskPrefix(history: readonly HistoryEvent[], maxEvents: number): HistoryEvent[] {
  for (let end = Math.min(maxEvents, history.length); end > 0; end--) {
    if (history[end - 1]!.type === 'WorkflowTaskScheduled' && end < history.length) {
      return history.slice(0, end);
    }
  }
  throw new RangeError(`No workflow task is scheduled within the first ${maxEvents} events`);
}

/**
 * A whole cold workflow task: full replay of `prefix`, then the new activation at the time and id
 * of the `WorkflowTaskStarted` that history recorded next. Returns the commands it issued.
 */
export async function coldTask(history: readonly HistoryEvent[], prefix: readonly HistoryEvent[]) {
  const replayer = newReplayer(prefix);
  await replayer.replay(prefix);
  const started = history[prefix.length]!;
  const { commands, taskFailure } = await replayer.activateNew(started.eventTime, started.eventId);
  if (taskFailure !== undefined) throw taskFailure;
  return commands;
}

/** One workflow task of a recorded run, as the warm path sees it. */
export interface TaskSlice {
  /** Events that arrived since the previous task committed, ending with `WorkflowTaskScheduled`. */
  incoming: HistoryEvent[];
  /** What the task committed: `WorkflowTaskStarted`, `WorkflowTaskCompleted` and its command events. */
  committed: HistoryEvent[];
}

/** Splits a recorded history into its workflow tasks, in order. */
export function taskSlices(history: readonly HistoryEvent[]): TaskSlice[] {
  const slices: TaskSlice[] = [];
  let from = 0;
  for (let i = 0; i < history.length - 2; i++) {
    if (
      history[i]!.type !== 'WorkflowTaskScheduled' ||
      history[i + 1]!.type !== 'WorkflowTaskStarted' ||
      history[i + 2]!.type !== 'WorkflowTaskCompleted'
    ) {
      continue;
    }
    let end = i + 3;
    while (end < history.length && isCommandEvent(history[end]!)) end++;
    slices.push({ incoming: history.slice(from, i + 1), committed: history.slice(i + 1, end) });
    from = end;
    i = end - 1;
  }
  return slices;
}

/**
 * One warm workflow task: a cached replayer applies only the task's new events, runs the activation
 * and records what was committed (which checks the commands against history, as a commit would).
 */
export async function warmTask(replayer: Replayer, slice: TaskSlice): Promise<void> {
  await replayer.replay(slice.incoming);
  const started = slice.committed[0]!;
  const activation = await replayer.activateNew(started.eventTime, started.eventId);
  if (activation.taskFailure !== undefined) throw activation.taskFailure;
  replayer.commit(slice.committed, activation.commands);
}

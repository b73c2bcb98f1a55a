import type { RunRef } from '../backend/ports.ts';
import type { RunState } from '../engine/run-state.ts';
import type { RuntimeDeps } from './deps.ts';

/**
 * How long a first delivery waits for its run's first batch at most: the batch is usually a few
 * milliseconds behind the task (`dispatchFirstTasks`), but a throttled or stalled start may take
 * longer. Paid only when the task came first, and at most a quarter of the invocation's time (the
 * rest is the task's: {@link firstBatchWaitMs}).
 */
export const FIRST_BATCH_WAIT_MS = 2500;

/** What a first delivery of such a task waits at most, in an invocation that must end by `deadline`. */
export function firstBatchWaitMs(deadline: number | undefined, now: number): number {
  return Math.max(0, Math.min(FIRST_BATCH_WAIT_MS, ((deadline ?? Infinity) - now) / 4));
}

/**
 * A start's workflow task whose run has not been written yet: the message fails, to be delivered
 * again after its visibility timeout, when the run is there, or its start is voided.
 */
export class FirstBatchPendingError extends Error {
  override readonly name = 'FirstBatchPendingError';
}

/**
 * The run a start's early workflow task (`beforeCommit`) is for, once its first batch is written.
 * On a first delivery it reads the run again, at growing pauses, for up to `waitMs`, and a run
 * still without history then fails the task (it comes again). On a redelivery the start has had a
 * visibility timeout's time, so a run without history is voided at once (`voidStart`): undefined
 * then, the task has nothing to do, and should the start still write its batch, that write fails
 * and the start tries again with a run of its own. Never undefined for a run whose batch exists:
 * the void and the batch race on one key, and exactly one lands.
 */
export async function awaitFirstBatch(
  deps: Pick<RuntimeDeps, 'store'>,
  ref: RunRef,
  { redelivered, waitMs }: { redelivered: boolean; waitMs: number },
): Promise<RunState | undefined> {
  if (redelivered) {
    if (await deps.store.voidStart(ref.namespace, ref.runId)) return undefined;
    return deps.store.getRun(ref.namespace, ref.runId);
  }
  const until = Date.now() + waitMs;
  for (let pauseMs = 10; Date.now() + pauseMs <= until; pauseMs *= 2) {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const state = await deps.store.getRun(ref.namespace, ref.runId);
    if (state) return state;
  }
  throw new FirstBatchPendingError(
    `Run ${ref.runId} of ${ref.workflowId} has no history yet: its start has not written it; the task comes again`,
  );
}

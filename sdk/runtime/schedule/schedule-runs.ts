import type { RunRef } from '../../backend/ports.ts';
import { WorkflowExecutionAlreadyStartedError } from '../../common/errors.ts';
import type { EventOf } from '../../engine/events.ts';
import { isClosed } from '../../engine/run-state.ts';
import { readEvent } from '../commit.ts';
import type { RuntimeDeps } from '../deps.ts';
import { startWorkflow } from '../start-workflow.ts';
import { processScheduleTick, SCHEDULED_BY_ID } from './schedule-tick.ts';

/** Closes that end a cron chain (Temporal: a cancelled or terminated cron workflow stops). */
const CHAIN_ENDS = new Set(['Canceled', 'Terminated', 'ContinuedAsNew']);

/**
 * Temporal's cron workflows: when a run with a `cronSchedule` completes, fails or times out, the
 * next run starts under the same workflow id and waits for the next matching time. Runs on the
 * closed run's `notifyParent` task, which the router sends for the close of every cron run. Returns true when the
 * chain goes on (so the parent is not told the child closed).
 *
 * Idempotent: it starts a run only while the closed run is still the workflow id's current run,
 * and the id's claim refuses a second start while the first is running.
 */
export async function continueCron(deps: RuntimeDeps, ref: RunRef): Promise<boolean> {
  const state = await deps.store.getRun(ref.namespace, ref.runId);
  if (!state || !isClosed(state) || CHAIN_ENDS.has(state.status)) return false;
  const started = (await readEvent(deps, ref.namespace, ref.runId, 1)) as EventOf<'WorkflowExecutionStarted'>;
  if (started.cronSchedule === undefined) return false;
  const current = await deps.store.getCurrentRunId(ref.namespace, state.workflowId);
  if (current !== ref.runId) return true;
  try {
    await startWorkflow(deps, {
      namespace: ref.namespace,
      workflowId: state.workflowId,
      workflowType: started.workflowType,
      taskQueue: started.taskQueue,
      input: started.input,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowExecutionTimeoutMs: started.workflowExecutionTimeoutMs,
      workflowRunTimeoutMs: started.workflowRunTimeoutMs,
      memo: started.memo,
      searchAttributes: started.searchAttributes,
      cronSchedule: started.cronSchedule,
      firstRunId: state.firstRunId,
      parent: started.parent,
      parentClosePolicy: started.parentClosePolicy,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return true;
}

/** A run a schedule started has closed: the schedule looks at once (BUFFER_ONE starts what it held). */
export async function notifySchedule(deps: RuntimeDeps, ref: RunRef): Promise<void> {
  const state = await deps.store.getRun(ref.namespace, ref.runId);
  const scheduleId = state?.searchAttributes[SCHEDULED_BY_ID];
  if (!state || !isClosed(state) || typeof scheduleId !== 'string') return;
  await processScheduleTick(deps, ref.namespace, scheduleId);
}

import type { RunRef } from '../backend/ports.ts';
import type { WorkflowUpdateStage } from '../common/enums.ts';
import { WorkflowUpdateNotFoundError } from '../common/errors.ts';
import type { UpdateOutcome } from '../common/wire/messages.ts';
import { isClosed, type RunState } from '../engine/run-state.ts';
import { readFullHistory } from './commit.ts';
import type { RuntimeDeps } from './deps.ts';
import type { Waiter } from './run-outcome.ts';

/** How far an update got, and its outcome once it has one. */
export interface UpdateStatus {
  /** UNKNOWN: this run never admitted nor accepted an update with this id. */
  stage: WorkflowUpdateStage | 'UNKNOWN';
  outcome?: UpdateOutcome;
}

const STAGE_ORDER = { UNKNOWN: 0, ADMITTED: 1, ACCEPTED: 2, COMPLETED: 3 } as const;

/** True when `status` has reached `stage`. */
export function reached(status: UpdateStatus, stage: WorkflowUpdateStage): boolean {
  return STAGE_ORDER[status.stage] >= STAGE_ORDER[stage];
}

function closedFailure(state: RunState, before: string): UpdateOutcome {
  return {
    failure: {
      kind: 'application',
      type: 'AcceptedUpdateCompletedWorkflow',
      nonRetryable: true,
      message: `Workflow ${state.status.toLowerCase()} before the update ${before}`,
    },
  };
}

/** Reads an update's stage from its run: the run's state, and its history once the update is decided. */
export async function readUpdateStatus(
  deps: RuntimeDeps,
  state: RunState | undefined,
  updateId: string,
): Promise<UpdateStatus> {
  if (!state) return { stage: 'UNKNOWN' };
  const decidedEventId = state.completedUpdates[updateId];
  if (decidedEventId === undefined) {
    if (state.admittedUpdates?.[updateId] === undefined) return { stage: 'UNKNOWN' };
    // Admitted, and the run closed (terminated, timed out) before a workflow task decided it.
    if (isClosed(state)) return { stage: 'COMPLETED', outcome: closedFailure(state, 'was decided') };
    return { stage: 'ADMITTED' };
  }
  if (state.updates[updateId] === undefined) {
    const events = await readFullHistory(deps, state.namespace, state.runId, decidedEventId);
    for (const event of events) {
      if (event.type === 'WorkflowExecutionUpdateCompleted' && event.updateId === updateId)
        return { stage: 'COMPLETED', outcome: event.outcome };
      if (event.type === 'WorkflowExecutionUpdateRejected' && event.updateId === updateId)
        return { stage: 'COMPLETED', outcome: { failure: event.failure } };
    }
  }
  // Accepted, but the run closed before the handler finished: it never will (as Temporal answers).
  if (isClosed(state)) return { stage: 'COMPLETED', outcome: closedFailure(state, 'completed') };
  return { stage: 'ACCEPTED' };
}

/** Waits up to `waitMs` for an update of `ref` to reach `stage`; answers where it got. */
export async function waitForUpdate(
  deps: RuntimeDeps,
  waiter: Waiter,
  ref: RunRef,
  updateId: string,
  stage: WorkflowUpdateStage,
  waitMs: number,
): Promise<UpdateStatus> {
  let status: UpdateStatus = { stage: 'UNKNOWN' };
  await waiter(async () => {
    status = await readUpdateStatus(deps, await deps.store.getRun(ref.namespace, ref.runId), updateId);
    if (status.stage === 'UNKNOWN') {
      throw new WorkflowUpdateNotFoundError(
        `Workflow '${ref.workflowId}' run '${ref.runId}' has no update '${updateId}'`,
      );
    }
    return reached(status, stage);
  }, waitMs);
  return status;
}

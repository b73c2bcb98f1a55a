import type { AppendRequest } from '../backend/ports.ts';
import {
  HistoryConflictError,
  InvalidArgumentError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowExecutionClosedError,
} from '../common/errors.ts';
import { MAX_WAIT_MS } from '../common/wire/limits.ts';
import type { UpdateResponse } from '../common/wire/messages.ts';
import type { UpdateWithStartRequest, UpdateWithStartResult } from '../common/wire/update-with-start.ts';
import { isClosed, type RunState } from '../engine/run-state.ts';
import { MAX_COMMIT_ATTEMPTS } from './commit.ts';
import type { RuntimeDeps } from './deps.ts';
import { runFirstWorkflowTaskNow } from './eager-start.ts';
import type { Waiter } from './run-outcome.ts';
import { dispatchFirstTasks, newRun, terminationByStart } from './start-workflow.ts';
import { waitForUpdate } from './workflow-updates.ts';

/** Sends an update to a running run (the service's `update`), waiting up to `waitMs` for its outcome. */
export type SendUpdate = (run: RunState, updateId: string, waitMs: number) => Promise<UpdateResponse>;

/**
 * Update-with-start. Without a running run, one conditional write (the store's `createRun`, which
 * claims the workflow id) creates the run with the update admitted in its first events, so the
 * update exists exactly when the run does; the first workflow task decides it. With a running run,
 * the conflict policy decides: FAIL refuses, USE_EXISTING sends the update to it, and
 * TERMINATE_EXISTING closes it in that same write. Resending the same `updateId` finds the update
 * again instead of starting twice.
 */
export async function updateWithStart(
  deps: RuntimeDeps,
  waiter: Waiter,
  sendUpdate: SendUpdate,
  request: UpdateWithStartRequest,
): Promise<UpdateWithStartResult> {
  const { start, update, workflowIdConflictPolicy: conflict } = request;
  if (start.workflowIdReusePolicy === 'TERMINATE_IF_RUNNING') {
    throw new InvalidArgumentError(
      "Update-with-start takes workflowIdConflictPolicy 'TERMINATE_EXISTING' instead of workflowIdReusePolicy TERMINATE_IF_RUNNING",
    );
  }
  if (start.cronSchedule !== undefined) {
    throw new InvalidArgumentError(
      'Update-with-start cannot start a cron workflow (its first workflow task waits for the schedule); start it with client.workflow.start, then send the update',
    );
  }
  const updateId = update.updateId ?? deps.newId();
  const waitMs = request.waitForStage === 'COMPLETED' ? MAX_WAIT_MS : 0;
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const currentRunId = await deps.store.getCurrentRunId(start.namespace, start.workflowId);
    const current = currentRunId ? await deps.store.getRun(start.namespace, currentRunId) : undefined;
    let terminate: AppendRequest | undefined;
    if (current && !isClosed(current)) {
      // This very request, sent again: its run exists with the update in it.
      const ours =
        current.admittedUpdates?.[updateId] !== undefined || current.completedUpdates[updateId] !== undefined;
      if (ours || conflict === 'USE_EXISTING') {
        try {
          const response = await sendUpdate(current, updateId, waitMs);
          // Started by this request's earlier attempt when the update is the run's admitted one.
          return {
            ...response,
            runId: current.runId,
            started: ours && isAdmittedIn(current, updateId),
            stage: response.stage ?? (response.outcome ? 'COMPLETED' : 'ACCEPTED'),
          };
        } catch (error) {
          if (error instanceof WorkflowExecutionClosedError) continue;
          throw error;
        }
      }
      if (conflict === 'FAIL') {
        throw new WorkflowExecutionAlreadyStartedError(
          `Workflow '${start.workflowId}' is already running (workflowIdConflictPolicy FAIL)`,
          start.workflowId,
          start.workflowType,
        );
      }
      terminate = terminationByStart(
        deps,
        current,
        'Terminated by update-with-start with workflowIdConflictPolicy TERMINATE_EXISTING',
      );
    }
    const runId = deps.newId();
    // Started eagerly: the API hands the first task (which decides the update) to the worker.
    const run = newRun({ ...start, requestEagerStart: true }, runId, deps.clock.now(), {
      updateId,
      updateName: update.name,
      input: update.input,
    });
    try {
      await deps.store.createRun(run, start.workflowIdReusePolicy ?? 'ALLOW_DUPLICATE', terminate, () =>
        dispatchFirstTasks(deps, run),
      );
    } catch (error) {
      // Another start won the id in the meantime: look again (the conflict policy decides).
      if (error instanceof HistoryConflictError) continue;
      if (
        error instanceof WorkflowExecutionAlreadyStartedError &&
        (await runningNow(deps, start.namespace, start.workflowId))
      )
        continue;
      throw error;
    }
    const ref = { namespace: start.namespace, workflowId: start.workflowId, runId };
    await runFirstWorkflowTaskNow(deps, start.taskQueue, ref);
    const status = await waitForUpdate(deps, waiter, ref, updateId, request.waitForStage, MAX_WAIT_MS);
    return {
      runId,
      started: true,
      updateId,
      stage: status.stage === 'UNKNOWN' ? 'ADMITTED' : status.stage,
      outcome: status.outcome,
    };
  }
  throw new HistoryConflictError(`Could not start workflow ${start.workflowId}: it kept changing`);
}

function isAdmittedIn(state: RunState, updateId: string): boolean {
  return state.admittedUpdates?.[updateId] !== undefined;
}

async function runningNow(deps: RuntimeDeps, namespace: string, workflowId: string): Promise<boolean> {
  const runId = await deps.store.getCurrentRunId(namespace, workflowId);
  const state = runId ? await deps.store.getRun(namespace, runId) : undefined;
  return state !== undefined && !isClosed(state);
}

import type { RunRef } from '../backend/ports.ts';
import { WorkflowExecutionClosedError, WorkflowNotFoundError } from '../common/errors.ts';
import type { Payload } from '../common/payload.ts';
import { wakeIfIdle } from '../engine/pending-events.ts';
import { hasAppliedRequest, isClosed, type RunState } from '../engine/run-state.ts';
import { commitToRun } from './commit.ts';
import type { RuntimeDeps } from './deps.ts';

/** Resolves a workflow id (and optional run id) to the run's ref; the latest run if no run id. */
export async function resolveRun(
  deps: Pick<RuntimeDeps, 'store'>,
  namespace: string,
  workflowId: string,
  runId?: string,
): Promise<{ ref: RunRef; state: RunState }> {
  const id = runId ?? (await deps.store.getCurrentRunId(namespace, workflowId));
  const state = id ? await deps.store.getRun(namespace, id) : undefined;
  if (!state || state.workflowId !== workflowId) {
    throw new WorkflowNotFoundError(
      `Workflow '${workflowId}'${runId ? ` run '${runId}'` : ''} not found in namespace '${namespace}'`,
      workflowId,
      runId,
    );
  }
  return { ref: { namespace, workflowId, runId: state.runId }, state };
}

function assertOpen(state: RunState, what: string): void {
  if (isClosed(state)) {
    throw new WorkflowExecutionClosedError(
      `Workflow '${state.workflowId}' is ${state.status.toLowerCase()}; it takes no more ${what}`,
    );
  }
}

/*
 * Each client request below may carry a request id: a retry of a request that was applied already
 * (its answer lost to a timeout or a 503) finds the id in the run's state and changes nothing, even
 * if the first one closed the run — checked before anything else, inside the conditional commit.
 */

/** Records a signal and wakes the workflow. */
export async function signalWorkflow(
  deps: RuntimeDeps,
  ref: RunRef,
  signalName: string,
  input: Payload[],
  options: { identity?: string; requestId?: string } = {},
) {
  const { identity, requestId } = options;
  await commitToRun(deps, ref, (state) => {
    if (hasAppliedRequest(state, requestId)) return undefined;
    assertOpen(state, 'signals');
    return {
      events: [
        { type: 'WorkflowExecutionSignaled', signalName, input, identity, requestId },
        ...wakeIfIdle(state),
      ],
    };
  });
}

/** Requests cancellation: workflow code sees it as a cancelled root scope. Idempotent. */
export async function requestCancelWorkflow(
  deps: RuntimeDeps,
  ref: RunRef,
  reason?: string,
  requestId?: string,
) {
  await commitToRun(deps, ref, (state) => {
    if (hasAppliedRequest(state, requestId)) return undefined;
    assertOpen(state, 'cancel requests');
    if (state.cancelRequested) return undefined;
    return {
      events: [{ type: 'WorkflowExecutionCancelRequested', reason, requestId }, ...wakeIfIdle(state)],
    };
  });
}

/** Closes the run at once, without running workflow code. */
export async function terminateWorkflow(deps: RuntimeDeps, ref: RunRef, reason?: string, requestId?: string) {
  await commitToRun(deps, ref, (state) => {
    if (hasAppliedRequest(state, requestId)) return undefined;
    assertOpen(state, 'terminations');
    return { events: [{ type: 'WorkflowExecutionTerminated', reason, requestId }] };
  });
}
